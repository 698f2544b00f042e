// Monaco from the local monaco-editor package instead of the CDN @monaco-editor/react uses by default (the console
// runs on bank intranets with no outside network). Imported only by the editor chunk, so other pages never load it.
import { loader } from "@monaco-editor/react";
// The editor core and the two languages the JDM editor uses (JavaScript in function nodes, JSON), not all of Monaco.
import * as monaco from "monaco-editor/esm/vs/editor/editor.api";
import "monaco-editor/esm/vs/basic-languages/javascript/javascript.contribution";
import "monaco-editor/esm/vs/language/json/monaco.contribution";
import "monaco-editor/esm/vs/language/typescript/monaco.contribution";
import editorWorker from "monaco-editor/esm/vs/editor/editor.worker?worker";
import jsonWorker from "monaco-editor/esm/vs/language/json/json.worker?worker";
import tsWorker from "monaco-editor/esm/vs/language/typescript/ts.worker?worker";

self.MonacoEnvironment = {
  getWorker(_id: string, label: string): Worker {
    if (label === "json") return new jsonWorker();
    // function nodes are JavaScript: the TypeScript worker serves both
    if (label === "typescript" || label === "javascript") return new tsWorker();
    return new editorWorker();
  },
};

loader.config({ monaco });
