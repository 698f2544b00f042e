// The JDM decision-graph editor (@gorules/jdm-editor), in its own lazy chunk with Monaco and the zen-engine wasm
// (both served from the console's own assets). Read-only unless the page says the principal may edit this draft.
import "./monacoLocal";
import "@gorules/jdm-editor/dist/style.css";
import "./jdmContrast.css";
import { DecisionGraph, JdmConfigProvider, type DecisionGraphType } from "@gorules/jdm-editor";
import { useEffect, useRef, useState } from "react";
import { THEME } from "../models/Accessible";
import { fromEditor, toEditor } from "./editorIds";

export interface JdmEditorProps {
  content: string; // JDM JSON text
  editable: boolean;
  onChange?: (content: string) => void;
  label: string;
}

/**
 * React Flow makes each node a focusable role="button" wrapping the node's own buttons (menu, "Edit Table"): nested
 * interactive controls that screen readers cannot reach. The node's own buttons stay; the wrapper's role goes.
 */
function unnestNodes(root: HTMLElement): () => void {
  const strip = () => {
    for (const node of root.querySelectorAll(".react-flow__node[role=button]")) {
      node.removeAttribute("role");
      node.removeAttribute("tabindex");
    }
  };
  strip();
  const observer = new MutationObserver(strip);
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["role", "tabindex"] });
  return () => observer.disconnect();
}

export default function JdmEditor({ content, editable, onChange, label }: JdmEditorProps) {
  // read once: the editor owns the graph while mounted (the page remounts it for another version or a JSON edit)
  const [initial] = useState(() => toEditor(JSON.parse(content) as DecisionGraphType));
  // the editor reports its own normalisation on mount: only a change after the user touched it is an edit
  const touched = useRef(false);
  const touch = () => {
    touched.current = true;
  };
  const region = useRef<HTMLElement>(null);
  useEffect(() => (region.current ? unnestNodes(region.current) : undefined), []);
  return (
    <section
      ref={region}
      onPointerDown={touch}
      onKeyDown={touch}
      aria-label={label}
      data-testid="jdm-editor"
      style={{ height: 620, border: "1px solid #d9d9d9", borderRadius: 8 }}
    >
      <JdmConfigProvider theme={{ token: { ...THEME.token, colorPrimary: "#1554ad" } }}>
        <DecisionGraph
          defaultValue={initial}
          disabled={!editable}
          onChange={(graph) => touched.current && onChange?.(JSON.stringify(fromEditor(graph), null, 2))}
        />
      </JdmConfigProvider>
    </section>
  );
}
