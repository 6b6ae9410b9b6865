// Compile and run each Markdown file given as an argument as MDX with remark-gfm (what a
// Docusaurus site does with a page), and print one JSON line per file:
// {"file": ..., "error": null | "message", "frontMatter": null | "...", "html": "..."}.
// The JSX runtime below renders to an HTML string, so no React is needed.
import { readFile } from "node:fs/promises";
import { evaluate } from "@mdx-js/mdx";
import remarkGfm from "remark-gfm";

const VOID = new Set(["br", "hr", "img", "input"]);
const Fragment = Symbol("Fragment");

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function jsx(type, props) {
  return { type, props: props || {} };
}

function render(node) {
  if (node === null || node === undefined || node === false || node === true) return "";
  if (Array.isArray(node)) return node.map(render).join("");
  if (typeof node !== "object") return escapeHtml(node);
  const { type, props } = node;
  if (typeof type === "function") return render(type(props));
  const children = render(props.children);
  if (type === Fragment) return children;
  const attrs = Object.entries(props)
    .filter(([key, value]) => key !== "children" && value !== undefined && value !== null)
    .map(([key, value]) => {
      const name = key === "className" ? "class" : key;
      const text = typeof value === "object" ? JSON.stringify(value) : value;
      return ` ${name}="${escapeHtml(text)}"`;
    })
    .join("");
  return VOID.has(type) ? `<${type}${attrs}>` : `<${type}${attrs}>${children}</${type}>`;
}

for (const file of process.argv.slice(2)) {
  try {
    // Docusaurus reads the front matter itself and compiles the rest as MDX.
    const text = await readFile(file, "utf8");
    const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
    const frontMatter = match ? match[1] : null;
    const source = match ? text.slice(match[0].length) : text;
    const { default: Content } = await evaluate(source, {
      Fragment,
      jsx,
      jsxs: jsx,
      remarkPlugins: [remarkGfm],
      baseUrl: import.meta.url,
    });
    console.log(JSON.stringify({ file, error: null, frontMatter, html: render(Content({})) }));
  } catch (error) {
    console.log(JSON.stringify({ file, error: String(error.message || error), html: "" }));
  }
}
