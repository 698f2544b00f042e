// A relationship graph drawn by Cytoscape.js. Node colour says what a node is and what is known of it (applicant,
// known bad, gang member, shared identifier); `highlight` marks a path. Layout is concentric around `focus`, which
// stays fast for a few thousand nodes (force layouts do not).
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import { useEffect, useRef } from "react";
import type { GraphData } from "./types";

export interface GraphViewProps {
  data: GraphData;
  focus?: string; // node id at the centre
  highlight?: string[]; // node and edge ids to emphasise (a path)
  onNodeClick?: (id: string) => void;
  height?: number;
  ariaLabel: string; // the canvas is described for screen readers; the same data is listed beside it by the pages
}

const STYLE: cytoscape.StylesheetJson = [
  { selector: "node", style: { "background-color": "#8c8c8c", label: "data(label)", "font-size": 9, width: 14, height: 14 } },
  { selector: "node[kind = 'enterprise']", style: { "background-color": "#1554ad", shape: "round-rectangle" } },
  { selector: "node[kind = 'person']", style: { "background-color": "#13a8a8", shape: "ellipse" } },
  { selector: "node.shared", style: { "background-color": "#d48806", shape: "diamond", width: 16, height: 16 } },
  { selector: "node.gang", style: { "border-width": 3, "border-color": "#722ed1" } },
  { selector: "node.bad", style: { "background-color": "#cf1322" } },
  { selector: "node.applicant", style: { width: 26, height: 26, "border-width": 4, "border-color": "#fa8c16" } },
  { selector: "edge", style: { width: 1, "line-color": "#bfbfbf", "curve-style": "haystack" } },
  { selector: "edge[kind = 'control']", style: { "line-color": "#597ef7" } },
  { selector: "edge[kind = 'guarantee']", style: { "line-color": "#f759ab" } },
  { selector: ".hl", style: { "line-color": "#fa541c", "background-color": "#fa541c", width: 3, "z-index": 9 } },
];

function classes(flags: Record<string, unknown> | undefined): string {
  const f = flags ?? {};
  return [f.applicant && "applicant", f.known_bad && "bad", f.gang_member && "gang", f.shared && "shared"]
    .filter(Boolean)
    .join(" ");
}

function elements(data: GraphData): ElementDefinition[] {
  return [
    ...data.nodes.map((n) => ({ group: "nodes" as const, data: { id: n.id, kind: n.kind, label: n.label }, classes: classes(n.flags) })),
    ...data.edges.map((e) => ({ group: "edges" as const, data: { id: e.id, source: e.source, target: e.target, kind: e.kind } })),
  ];
}

export default function GraphView({ data, focus, highlight, onNodeClick, height = 480, ariaLabel }: GraphViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);

  useEffect(() => {
    if (!box.current) return;
    const graph = cytoscape({
      container: box.current,
      elements: elements(data),
      style: STYLE,
      layout: {
        name: "concentric",
        animate: false,
        minNodeSpacing: 4,
        concentric: (node: cytoscape.NodeSingular) => (node.id() === focus ? 10 : node.degree(false) > 2 ? 5 : 1),
        levelWidth: () => 1,
      },
      textureOnViewport: true,
      hideEdgesOnViewport: data.edges.length > 1500,
      wheelSensitivity: 0.3,
    });
    if (onNodeClick) graph.on("tap", "node", (evt) => onNodeClick(evt.target.id()));
    cy.current = graph;
    return () => graph.destroy();
  }, [data, focus, onNodeClick]);

  useEffect(() => {
    const graph = cy.current;
    if (!graph) return;
    graph.elements().removeClass("hl");
    for (const id of highlight ?? []) graph.getElementById(id).addClass("hl");
  }, [highlight, data]);

  return (
    <div
      ref={box}
      role="img"
      aria-label={ariaLabel}
      data-testid="graph-view"
      data-nodes={data.nodes.length}
      style={{ height, border: "1px solid #f0f0f0", borderRadius: 6, background: "#fff" }}
    />
  );
}
