// A relationship graph drawn by Cytoscape.js. Node colour says what a node is and what is known of it (applicant,
// known bad, gang member, shared identifier); `highlight` marks a path and fades the rest. Small graphs get a
// force layout; large ones (a 2-hop neighbourhood of a few thousand nodes) a radial tree (layout.ts) with ring k at
// k hops from `focus`, linear in the graph's size where force layouts are not. Labels show only when zoomed in.
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import { useEffect, useRef } from "react";
import { radialPositions } from "./layout";
import { COLOURS, EDGE_COLOURS, IDENTIFIER_KINDS } from "./palette";
import type { GraphData } from "./types";

export interface GraphViewProps {
  data: GraphData;
  focus?: string; // node id at the centre
  highlight?: string[]; // node and edge ids to emphasise (a path)
  onNodeClick?: (id: string) => void;
  height?: number;
  ariaLabel: string; // the canvas is described for screen readers; the same data is listed beside it by the pages
  onReady?: () => void; // called once the layout of each new `data` is done (the graph is drawn and usable)
  selected?: string; // a node id to mark (e.g. the one a list row points at)
}

const SMALL = 250; // up to this many nodes a force layout reads better and is still quick

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      "background-color": COLOURS.identifier,
      label: "data(label)",
      "font-size": 9,
      color: "#262626",
      "min-zoomed-font-size": 7,
      width: 10,
      height: 10,
    },
  },
  { selector: "node[kind = 'enterprise']", style: { "background-color": COLOURS.enterprise, shape: "round-rectangle", width: 16, height: 16 } },
  { selector: "node[kind = 'person']", style: { "background-color": COLOURS.person, shape: "ellipse", width: 13, height: 13 } },
  { selector: "node[kind = 'application']", style: { "background-color": COLOURS.application, shape: "tag" } },
  { selector: "node.shared", style: { "background-color": COLOURS.shared, shape: "diamond", width: 15, height: 15 } },
  { selector: "node.gang", style: { "border-width": 3, "border-color": COLOURS.gang } },
  { selector: "node.bad", style: { "background-color": COLOURS.bad } },
  {
    selector: "node.applicant",
    style: { width: 30, height: 30, "border-width": 5, "border-color": COLOURS.applicant, "font-size": 12, "font-weight": "bold", "z-index": 10, "min-zoomed-font-size": 0 },
  },
  { selector: "node.picked", style: { "overlay-color": COLOURS.path, "overlay-opacity": 0.25, "overlay-padding": 6 } },
  { selector: "edge", style: { width: 1, "line-color": EDGE_COLOURS.other, "curve-style": "haystack" } },
  ...Object.entries(EDGE_COLOURS).map(([group, colour]) => ({ selector: `edge[group = '${group}']`, style: { "line-color": colour } })),
  { selector: "edge[group = 'litigation']", style: { "line-style": "dashed" as const } },
  { selector: ".faded", style: { opacity: 0.18 } },
  {
    selector: "node.hl",
    style: { "border-width": 4, "border-color": COLOURS.path, width: 22, height: 22, "z-index": 9, "min-zoomed-font-size": 0 },
  },
  { selector: "edge.hl", style: { "line-color": COLOURS.path, width: 4, "z-index": 9 } },
];

function classes(flags: Record<string, unknown> | undefined): string {
  const f = flags ?? {};
  return [f.applicant && "applicant", f.known_bad && "bad", f.gang_member && "gang", f.shared && "shared"]
    .filter(Boolean)
    .join(" ");
}

function elements(data: GraphData): ElementDefinition[] {
  const nodeKind = (kind: string) => (IDENTIFIER_KINDS.has(kind) ? "identifier" : kind);
  return [
    ...data.nodes.map((n) => ({
      group: "nodes" as const,
      data: { id: n.id, kind: nodeKind(n.kind), label: n.label },
      classes: classes(n.flags),
    })),
    ...data.edges.map((e) => ({
      group: "edges" as const,
      data: { id: e.id, source: e.source, target: e.target, kind: e.kind, group: e.group ?? e.kind },
    })),
  ];
}

function layoutOf(data: GraphData, focus: string | undefined): cytoscape.LayoutOptions {
  if (data.nodes.length <= SMALL) {
    return { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, numIter: 600 } as cytoscape.LayoutOptions;
  }
  const at = radialPositions(data, focus);
  return {
    name: "preset",
    animate: false,
    fit: true,
    padding: 20,
    positions: (node: cytoscape.NodeSingular) => at.get(node.id()) ?? { x: 0, y: 0 },
  } as cytoscape.LayoutOptions;
}

export default function GraphView(props: GraphViewProps) {
  const { data, focus, highlight, onNodeClick, height = 480, ariaLabel, onReady, selected } = props;
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  // callbacks through refs: a new function identity from the page must not redraw thousands of nodes
  const clickRef = useRef(onNodeClick);
  const readyRef = useRef(onReady);
  clickRef.current = onNodeClick;
  readyRef.current = onReady;

  useEffect(() => {
    if (!box.current) return;
    const big = data.nodes.length > SMALL;
    const graph = cytoscape({
      container: box.current,
      elements: elements(data),
      style: STYLE,
      textureOnViewport: big,
      hideEdgesOnViewport: data.edges.length > 1500,
      pixelRatio: big ? 1 : "auto",
      minZoom: 0.05,
      maxZoom: 4,
    });
    graph.on("tap", "node", (evt) => clickRef.current?.(evt.target.id()));
    cy.current = graph;
    const layout = graph.layout(layoutOf(data, focus));
    layout.one("layoutstop", () => {
      graph.fit(undefined, 20);
      if (graph.zoom() > 1.25) {
        graph.zoom(1.25); // a few nodes: do not blow them up to fill the box
        graph.center();
      }
      // what the canvas really marks, for tests and tools reading the page
      box.current?.setAttribute("data-applicants", graph.nodes(".applicant").map((n) => n.id()).join(" "));
      // the first frame is painted after layoutstop; report ready then
      requestAnimationFrame(() => readyRef.current?.());
    });
    layout.run();
    return () => {
      cy.current = null;
      graph.destroy();
    };
  }, [data, focus]);

  useEffect(() => {
    const graph = cy.current;
    if (!graph) return;
    graph.batch(() => {
      graph.elements().removeClass("hl faded");
      box.current?.setAttribute("data-highlighted", "0");
      const ids = highlight ?? [];
      if (!ids.length) return;
      const path = graph.collection();
      for (const id of ids) path.merge(graph.getElementById(id));
      path.addClass("hl");
      box.current?.setAttribute("data-highlighted", String(graph.elements(".hl").length));
      graph.elements().difference(path).addClass("faded");
    });
  }, [highlight, data]);

  useEffect(() => {
    const graph = cy.current;
    if (!graph) return;
    graph.nodes(".picked").removeClass("picked");
    if (selected) graph.getElementById(selected).addClass("picked");
  }, [selected, data]);

  return (
    <div
      ref={box}
      role="img"
      aria-label={ariaLabel}
      data-testid="graph-view"
      data-nodes={data.nodes.length}
      data-edges={data.edges.length}
      style={{ height, border: "1px solid #f0f0f0", borderRadius: 6, background: "#fff" }}
    />
  );
}
