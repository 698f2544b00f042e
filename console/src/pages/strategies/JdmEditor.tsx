// The JDM decision-graph editor (@gorules/jdm-editor), in its own lazy chunk with Monaco and the zen-engine wasm
// (both served from the console's own assets). Read-only unless the page says the principal may edit this draft.
import "./monacoLocal";
import "@gorules/jdm-editor/dist/style.css";
import { DecisionGraph, JdmConfigProvider, type DecisionGraphType } from "@gorules/jdm-editor";
import { useRef, useState } from "react";
import { fromEditor, toEditor } from "./editorIds";

export interface JdmEditorProps {
  content: string; // JDM JSON text
  editable: boolean;
  onChange?: (content: string) => void;
  label: string;
}

export default function JdmEditor({ content, editable, onChange, label }: JdmEditorProps) {
  // read once: the editor owns the graph while mounted (the page remounts it for another version or a JSON edit)
  const [initial] = useState(() => toEditor(JSON.parse(content) as DecisionGraphType));
  // the editor reports its own normalisation on mount: only a change after the user touched it is an edit
  const touched = useRef(false);
  const touch = () => {
    touched.current = true;
  };
  return (
    <section
      onPointerDown={touch}
      onKeyDown={touch}
      aria-label={label}
      data-testid="jdm-editor"
      style={{ height: 620, border: "1px solid #d9d9d9", borderRadius: 8 }}
    >
      <JdmConfigProvider theme={{ token: { colorPrimary: "#1554ad" } }}>
        <DecisionGraph
          defaultValue={initial}
          disabled={!editable}
          onChange={(graph) => touched.current && onChange?.(JSON.stringify(fromEditor(graph), null, 2))}
        />
      </JdmConfigProvider>
    </section>
  );
}
