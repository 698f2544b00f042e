// One palette for the canvas and its legend, so the legend always says what the colours on the canvas mean.
export const COLOURS = {
  enterprise: "#1554ad",
  person: "#13a8a8",
  identifier: "#8c8c8c",
  application: "#7a8cc7",
  shared: "#d48806",
  bad: "#cf1322",
  gang: "#722ed1",
  applicant: "#fa8c16",
  path: "#fa541c",
} as const;

export const EDGE_COLOURS: Record<string, string> = {
  control: "#597ef7",
  guarantee: "#f759ab",
  trade: "#52c41a",
  litigation: "#cf1322",
  shared_identifier: "#bfbfbf",
  application: "#adc6ff",
  other: "#d9d9d9",
};

/** Node kinds drawn as people or enterprises; every other kind is an identifier (phone, address, device …). */
export const IDENTIFIER_KINDS = new Set(["phone", "address", "device", "ip", "bank_account", "email"]);
