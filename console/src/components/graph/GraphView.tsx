// A relationship graph drawn by Cytoscape.js. Node colour says what a node is and what is known of it (applicant,
// known bad, gang member, shared identifier); `highlight` marks a path and fades the rest. Small graphs get a
// force layout; large ones (a 2-hop neighbourhood of a few thousand nodes) a radial tree (layout.ts) with ring k at
// k hops from `focus`, linear in the graph's size where force layouts are not. Labels show only when zoomed in.
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import { useEffect, useRef } from "react";
import { radialPositions, type Point } from "./layout";
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
const LABEL_ZOOM = 0.8; // a large graph names its nodes from this zoom on

// Colour, shape and size are computed once per element (`look`) and mapped from its data: with thousands of
// elements, one selector per kind or edge group made Cytoscape's style matching most of the first draw.
const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      "background-color": "data(colour)",
      shape: "data(shape)" as cytoscape.Css.NodeShape,
      width: "data(size)",
      height: "data(size)",
      "font-size": 9,
      color: "#262626",
      "min-zoomed-font-size": 7,
    },
  },
  { selector: "node.named, node.applicant, node.hl, node.picked", style: { label: "data(label)" } },
  { selector: "node.gang", style: { "border-width": 3, "border-color": COLOURS.gang } },
  {
    selector: "node.applicant",
    style: { "border-width": 5, "border-color": COLOURS.applicant, "font-size": 12, "font-weight": "bold", "z-index": 10, "min-zoomed-font-size": 0 },
  },
  { selector: "node.picked", style: { "overlay-color": COLOURS.path, "overlay-opacity": 0.25, "overlay-padding": 6 } },
  { selector: "edge", style: { width: 1, "line-color": "data(colour)", "line-style": "data(line)" as cytoscape.Css.LineStyle, "curve-style": "haystack" } },
  { selector: ".faded", style: { opacity: 0.18 } },
  {
    selector: "node.hl",
    style: { "border-width": 4, "border-color": COLOURS.path, width: 22, height: 22, "z-index": 9, "min-zoomed-font-size": 0 },
  },
  { selector: "edge.hl", style: { "line-color": COLOURS.path, width: 4, "z-index": 9 } },
];

const SHAPES: Record<string, [string, number]> = {
  enterprise: ["round-rectangle", 16],
  person: ["ellipse", 13],
  application: ["tag", 10],
  identifier: ["ellipse", 10],
};

/** A node's colour, shape and size from its kind and flags (shared over kind, known bad over both). */
function look(kind: string, flags: Record<string, unknown> | undefined): { colour: string; shape: string; size: number } {
  const f = flags ?? {};
  let [shape, size] = SHAPES[kind] ?? SHAPES.identifier;
  let colour: string = COLOURS[kind as keyof typeof COLOURS] ?? COLOURS.identifier;
  if (f.shared) [colour, shape, size] = [COLOURS.shared, "diamond", 15];
  if (f.known_bad) colour = COLOURS.bad;
  if (f.applicant) size = 30;
  return { colour, shape, size };
}

function classes(flags: Record<string, unknown> | undefined): string {
  const f = flags ?? {};
  return [f.applicant && "applicant", f.gang_member && "gang"].filter(Boolean).join(" ");
}

function elements(data: GraphData, big: boolean, at?: Map<string, Point>): ElementDefinition[] {
  const nodeKind = (kind: string) => (IDENTIFIER_KINDS.has(kind) ? "identifier" : kind);
  return [
    ...data.nodes.map((n) => ({
      group: "nodes" as const,
      position: at?.get(n.id) ?? { x: 0, y: 0 },
      data: { id: n.id, kind: nodeKind(n.kind), label: n.label, ...look(nodeKind(n.kind), n.flags) },
      // measuring thousands of labels dominates the first draw: a large graph labels its applicant, then more on zoom
      classes: `${classes(n.flags)}${big ? "" : " named"}`,
    })),
    ...data.edges.map((e) => {
      const group = e.group ?? e.kind;
      const colour = EDGE_COLOURS[group] ?? EDGE_COLOURS.other;
      const line = group === "litigation" ? "dashed" : "solid";
      return { group: "edges" as const, data: { id: e.id, source: e.source, target: e.target, kind: e.kind, group, colour, line } };
    }),
  ];
}

const FORCE = { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, numIter: 600 };

/** Zoom and pan that fit `at` in a box of `width` × `height` (what cy.fit would find, without measuring styles). */
function fitted(at: Map<string, Point>, width: number, height: number, padding = 20): { zoom: number; pan: Point } {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { x, y } of at.values()) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (!Number.isFinite(x0)) return { zoom: 1, pan: { x: width / 2, y: height / 2 } };
  const span = { w: Math.max(x1 - x0, 1), h: Math.max(y1 - y0, 1) };
  const zoom = Math.min(1.25, (width - 2 * padding) / span.w, (height - 2 * padding) / span.h);
  return { zoom, pan: { x: (width - zoom * (x0 + x1)) / 2, y: (height - zoom * (y0 + y1)) / 2 } };
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
    // A large graph is placed by the radial layout and its viewport computed from the positions: Cytoscape's own
    // layout run and fit measure every element's rendered style twice, most of the first draw's time.
    const at = big ? radialPositions(data, focus) : undefined;
    const view = at ? fitted(at, box.current.clientWidth || 800, box.current.clientHeight || height) : undefined;
    const graph = cytoscape({
      container: box.current,
      elements: elements(data, big, at),
      style: STYLE,
      layout: { name: "preset", fit: false },
      ...(view ?? {}),
      textureOnViewport: big,
      hideEdgesOnViewport: data.edges.length > 1500,
      pixelRatio: big ? 1 : "auto",
      minZoom: 0.05,
      maxZoom: 4,
    });
    graph.on("tap", "node", (evt) => clickRef.current?.(evt.target.id()));
    if (big) {
      let named = false; // zoomed in far enough to read: name what is on screen
      graph.on("zoom", () => {
        const want = graph.zoom() >= LABEL_ZOOM;
        if (want !== named) {
          named = want;
          graph.batch(() => (want ? graph.nodes().addClass("named") : graph.nodes().removeClass("named")));
        }
      });
    }
    cy.current = graph;
    const drawn = () => {
      // what the canvas really marks, for tests and tools reading the page
      box.current?.setAttribute("data-applicants", graph.nodes(".applicant").map((n) => n.id()).join(" "));
      // the first frame is painted after this; report ready then
      requestAnimationFrame(() => readyRef.current?.());
    };
    if (big) drawn();
    else {
      const layout = graph.layout(FORCE as cytoscape.LayoutOptions);
      layout.one("layoutstop", () => {
        graph.fit(undefined, 20);
        if (graph.zoom() > 1.25) {
          graph.zoom(1.25); // a few nodes: do not blow them up to fill the box
          graph.center();
        }
        drawn();
      });
      layout.run();
    }
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
