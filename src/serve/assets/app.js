// fazhi web page: plain JavaScript over the JSON API (docs/api.md).
// The whole state is in the URL (?q=…&province=…&year=…&offset=…, or
// ?view=report&doc=…&section=…), so every view can be bookmarked and shared.
// Text from the index is always put in the page as text (textContent),
// never as HTML.
"use strict";

const FILTERS = ["province", "city", "county", "bureau", "year", "topic", "within"];
const PAGE = 20;

const FACET_NAMES = { province: "省份", year: "年度", bureau: "单位", topic: "主题" };

// ---- small helpers -------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Replace the children of `target` (null and false entries are skipped).
function put(target, ...nodes) {
  target.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
}

function params() {
  return new URLSearchParams(location.search);
}

// A URL of the page with `changes` applied to the current state (null removes).
function pageUrl(changes, base) {
  const p = new URLSearchParams(base === undefined ? location.search : base);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString();
  return "/" + (s ? "?" + s : "");
}

function go(changes) {
  history.pushState(null, "", pageUrl(changes));
  render();
}

// Links inside the page change the state without reloading.
function link(href, text, attrs) {
  return el("a", Object.assign({ href, onclick: (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    history.pushState(null, "", href);
    render();
    window.scrollTo(0, 0);
  } }, attrs || {}), text);
}

async function api(path, query) {
  const url = path + (query ? "?" + query.toString() : "");
  const res = await fetch(url);
  const body = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) {
    const err = new Error(body.error || res.statusText);
    err.position = body.position;
    throw err;
  }
  return body;
}

// The search parameters of the current state, for an API call.
function searchQuery(extra) {
  const p = params();
  const out = new URLSearchParams();
  const q = p.get("q");
  if (q) out.set("q", q);
  for (const f of FILTERS) if (p.get(f)) out.set(f, p.get(f));
  for (const [k, v] of Object.entries(extra || {})) out.set(k, v);
  return out;
}

// `text` with the char ranges `ranges` ([start, end), in code points) marked.
function marked(text, ranges) {
  const chars = Array.from(text || "");
  const out = [];
  let at = 0;
  for (const [s, e] of ranges || []) {
    if (s > at) out.push(chars.slice(at, s).join(""));
    out.push(el("mark", {}, chars.slice(s, e).join("")));
    at = e;
  }
  if (at < chars.length) out.push(chars.slice(at).join(""));
  return out;
}

// `text` with every occurrence of the query's positive terms marked (report view).
function markTerms(text, terms) {
  if (!terms.length) return [text];
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp("(" + escaped.join("|") + ")", "g");
  return text.split(re).map((part, i) => (i % 2 ? el("mark", {}, part) : part));
}

// The positive terms of a query as typed (no OR, no exclusions).
function positiveTerms(q) {
  const terms = [];
  const re = /"([^"]+)"|(\S+)/g;
  let m;
  while ((m = re.exec(q || ""))) {
    const t = m[1] || m[2];
    if (!t || t === "OR" || t.startsWith("-") || t.startsWith("－")) continue;
    terms.push(t.replace(/^"|"$/g, ""));
  }
  return terms.filter((t) => t.length > 0);
}

function showError(target, err) {
  const box = el("div", { class: "error", role: "alert" }, "出错了：", err.message);
  const q = params().get("q");
  if (err.position !== undefined && err.position !== null && q) {
    // The query with the character where it goes wrong marked.
    const chars = Array.from(q);
    const at = Math.min(err.position, chars.length);
    box.append(el("p", { class: "query-error" }, chars.slice(0, at).join(""),
      el("mark", {}, chars[at] || " "), chars.slice(at + 1).join("")));
  }
  put(target, box);
}

function heading(text) {
  return el("h1", { class: "view-title" }, text);
}

const main = () => document.getElementById("main");

// ---- views -----------------------------------------------------------------

async function render() {
  const p = params();
  const view = p.get("view") || "search";
  document.getElementById("q").value = p.get("q") || "";
  for (const a of document.querySelectorAll(".views a")) {
    a.classList.toggle("active", a.dataset.view === view);
    const q = p.get("q");
    a.href = pageUrl({ view: a.dataset.view === "search" ? null : a.dataset.view, q }, "");
  }
  const target = main();
  put(target, el("p", { class: "loading" }, "加载中…"));
  try {
    if (view === "report") await renderReport(target, p);
    else if (view === "bureaus") await renderBureaus(target, p);
    else if (view === "topic") await renderTopic(target, p);
    else if (view === "matrix") await renderMatrix(target, p);
    else if (p.get("q")) await renderSearch(target, p);
    else await renderHome(target);
  } catch (err) {
    showError(target, err);
  }
}

async function renderHome(target) {
  const s = await api("/api/stats");
  const years = Object.entries(s.years).map(([y, n]) => el("li", {}, `${y === "unknown" ? "年度不明" : y + " 年"}：${n} 份`));
  const provs = Object.entries(s.by_province)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => el("li", {}, name === "unknown" ? `地区不明：${n}` : link(pageUrl({ q: "法治", province: name }, ""), `${name}`), name === "unknown" ? null : ` ${n} 份`));
  put(target, 
    heading("法治政府建设年度报告检索"),
    el("p", { class: "lead" }, `本机索引共 ${s.reports} 份报告、${s.sections} 个段落，来自 ${s.bureaus} 个单位、${s.provinces} 个省份。`),
    el("p", {}, "试试：", ...["法律顾问", "合法性审查", "行政执法 公示", "\"重大行政决策\""].map((q) => [link(pageUrl({ q }, ""), q), "　"])),
    el("div", { class: "cols" },
      el("section", {}, el("h2", {}, "报告年度"), el("ul", { class: "plain" }, years)),
      el("section", {}, el("h2", {}, "省份"), el("ul", { class: "plain" }, provs))),
  );
}

function filterChips(p) {
  const chips = [];
  for (const f of FILTERS) {
    const v = p.get(f);
    if (!v) continue;
    const label = { province: "省份", city: "城市", county: "区县", bureau: "单位", year: "年度", topic: "主题", within: "范围" }[f];
    const shown = f === "within" ? (v === "sentence" ? "同句" : "同段") : v;
    chips.push(link(pageUrl({ [f]: null, offset: null }), [`${label}：${shown} `, el("span", { "aria-hidden": "true" }, "×")], { class: "chip", title: "取消此条件" }));
  }
  return chips;
}

function withinSelect(p) {
  const sel = el("select", { "aria-label": "范围", onchange: (e) => go({ within: e.target.value || null, offset: null }) },
    el("option", { value: "" }, "范围：段落节"),
    el("option", { value: "sentence" }, "同句"),
    el("option", { value: "paragraph" }, "同段"));
  sel.value = p.get("within") || "";
  return sel;
}

function downloads(p) {
  const q = searchQuery();
  q.delete("within");
  const csv = new URLSearchParams(q); csv.set("format", "csv");
  const xlsx = new URLSearchParams(q); xlsx.set("format", "xlsx");
  return el("span", { class: "downloads" },
    el("a", { class: "button", href: "/api/export?" + csv, download: "" }, "下载 CSV"),
    el("a", { class: "button", href: "/api/export?" + xlsx, download: "" }, "下载 XLSX"));
}

function facetList(name, facet, p) {
  const current = p.get(name);
  const items = facet.values.map((v) => {
    const on = current === v.value;
    return el("li", { class: on ? "on" : null },
      link(pageUrl({ [name]: on ? null : v.value, offset: null }), [el("span", { class: "fv" }, v.value), el("span", { class: "fc" }, String(v.count))],
        { title: on ? "取消" : `只看${FACET_NAMES[name]}：${v.value}` }));
  });
  if (!items.length) return null;
  return el("section", { class: "facet" },
    el("h3", {}, FACET_NAMES[name]),
    el("ul", {}, items),
    facet.more ? el("p", { class: "more" }, `另有 ${facet.more} 项`) : null);
}

function hitItem(h, q) {
  const heading = h.heading_path.length ? h.heading_path.join(" › ") : "（正文前言）";
  const report = pageUrl({ view: "report", doc: h.doc_id, section: h.section_id, q }, "");
  return el("li", { class: "hit" },
    el("div", { class: "meta" },
      el("span", { class: "bureau" }, h.bureau || "（未知单位）"),
      h.report_year ? el("span", { class: "year" }, String(h.report_year)) : null,
      h.province ? el("span", { class: "region" }, [h.province, h.city, h.county].filter(Boolean).join(" ")) : null),
    el("div", { class: "heading" }, link(report, heading)),
    el("p", { class: "snippet" }, marked(h.snippet, h.highlights)),
    el("div", { class: "where" }, `${h.path}:${h.line_start}`, h.url ? [" · ", el("a", { href: h.url, rel: "noreferrer noopener", target: "_blank" }, "原文")] : null));
}

function pager(total, offset, limit, more) {
  const nav = el("nav", { class: "pager", "aria-label": "翻页" });
  if (offset > 0) nav.append(link(pageUrl({ offset: Math.max(0, offset - limit) || null }), "‹ 上一页", { rel: "prev" }));
  if (total !== null) {
    const pages = Math.ceil(total / limit);
    const cur = Math.floor(offset / limit);
    const from = Math.max(0, cur - 3), to = Math.min(pages, from + 7);
    for (let i = from; i < to; i++) {
      nav.append(i === cur ? el("span", { class: "cur" }, String(i + 1)) : link(pageUrl({ offset: i * limit || null }), String(i + 1)));
    }
  }
  const hasNext = total === null ? more : offset + limit < total;
  if (hasNext) nav.append(link(pageUrl({ offset: offset + limit }), "下一页 ›", { rel: "next" }));
  return nav;
}

async function renderSearch(target, p) {
  const q = p.get("q");
  const offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
  const page = await api("/api/search", searchQuery({ limit: PAGE, offset, facets: 1 }));
  document.title = `${q} · 法治报告检索`;
  const facets = ["province", "year", "bureau", "topic"].map((f) => facetList(f, page.facets[f], p));
  const hits = page.hits.map((h) => hitItem(h, q));
  put(target, 
    el("div", { class: "bar" },
      el("span", { class: "count" }, page.total ? `共 ${page.total} 个段落` : "没有匹配的段落"),
      ...filterChips(p), withinSelect(p),
      page.total ? downloads(p) : null,
      link(pageUrl({ view: "bureaus" }), "按单位查看 ›", { class: "aside-link" })),
    el("div", { class: "results" },
      el("details", { class: "facets", open: window.innerWidth > 760 ? true : null },
        el("summary", {}, "筛选"), ...facets),
      el("div", { class: "list" },
        el("ol", { class: "hits", start: offset + 1 }, hits),
        page.total > PAGE ? pager(page.total, offset, PAGE) : null)),
  );
}

async function renderReport(target, p) {
  const doc = p.get("doc");
  const focus = p.get("section");
  const terms = positiveTerms(p.get("q"));
  const r = await api("/api/report/" + encodeURIComponent(doc || ""));
  document.title = `${r.title || r.bureau || r.path} · 法治报告检索`;
  const outline = el("ol", { class: "outline" });
  const body = el("div", { class: "report-body" });
  r.sections.forEach((s, i) => {
    const id = "s-" + s.section_id;
    if (s.heading) {
      outline.append(el("li", { class: "lv" + Math.min(s.level, 4) + (s.section_id === focus ? " on" : "") },
        el("a", { href: "#" + id }, s.heading)));
    }
    const H = "h" + Math.min(2 + Math.max(s.level - 1, 0), 6);
    body.append(el("section", { id, class: "sec" + (s.section_id === focus ? " focus" : ""), "data-section": s.section_id },
      s.heading ? el(H, {}, markTerms(s.heading, terms)) : null,
      ...s.body.split(/\n+/).filter((t) => t.trim()).map((t) => el("p", {}, markTerms(t, terms))),
      el("div", { class: "where" }, `${s.path}:${s.line_start}–${s.line_end}`)));
    if (i === 0 && !s.heading && !s.body) body.lastChild.remove();
  });
  const region = [r.province, r.city, r.county].filter(Boolean).join(" ");
  const back = p.get("q") ? link(pageUrl({ view: null, doc: null, section: null }), "‹ 返回检索结果", { class: "back" }) : null;
  put(target, 
    back,
    el("article", { class: "report" },
      el("header", {},
        el("h1", { class: "view-title" }, r.title || "（无标题）"),
        el("p", { class: "meta" },
          el("span", { class: "bureau" }, r.bureau || "（未知单位）"),
          r.report_year ? el("span", { class: "year" }, `${r.report_year} 年度`) : null,
          region ? el("span", { class: "region" }, region) : null,
          r.publish_date ? el("span", {}, `发布 ${r.publish_date}`) : null,
          r.doc_number ? el("span", {}, r.doc_number) : null),
        el("p", { class: "where" }, r.path, r.url ? [" · ", el("a", { href: r.url, rel: "noreferrer noopener", target: "_blank" }, "原文链接")] : null)),
      el("div", { class: "report-cols" },
        outline.children.length ? el("nav", { class: "toc", "aria-label": "目录" }, el("h2", {}, "目录"), outline) : null,
        body)));
  const focused = focus && document.getElementById("s-" + focus);
  if (focused) focused.scrollIntoView({ block: "center" });
}

async function renderBureaus(target, p) {
  const q = p.get("q");
  if (!q) {
    put(target, heading("哪些单位提到了它？"), el("p", { class: "lead" }, "在上方输入检索词，列出提到它的单位（及没有提到的单位）。"));
    return;
  }
  const all = p.get("all") === "1";
  const page = await api("/api/bureaus", searchQuery({ all: all ? 1 : 0, limit: 500 }));
  document.title = `${q} · 单位 · 法治报告检索`;
  const rows = page.rows.map((r) => el("tr", { class: r.sections ? null : "none" },
    el("td", { class: "b" }, r.bureau || "（未知单位）", el("div", { class: "region" }, [r.province, r.city, r.county].filter(Boolean).join(" "))),
    el("td", { class: "n" }, String(r.sections)),
    el("td", { class: "n" }, String(r.mentions)),
    el("td", {}, r.years.join("、")),
    el("td", { class: "snippet" }, r.snippet ? marked(r.snippet, r.highlights) : (r.sections ? "" : "未提及"))));
  put(target, 
    el("div", { class: "bar" },
      el("span", { class: "count" }, `${page.matching} 个单位提到“${q}”` + (all ? `，共 ${page.total} 个单位` : "")),
      ...filterChips(p),
      link(pageUrl({ all: all ? null : "1" }), all ? "只看提到的单位" : "也列出没有提到的单位", { class: "button" }),
      link(pageUrl({ view: null, all: null }), "‹ 段落列表", { class: "aside-link" })),
    el("div", { class: "table-wrap" },
      el("table", { class: "bureaus" },
        el("thead", {}, el("tr", {}, el("th", {}, "单位"), el("th", {}, "段落"), el("th", {}, "提及"), el("th", {}, "年度"), el("th", {}, "示例"))),
        el("tbody", {}, rows))),
    page.total > page.rows.length ? el("p", { class: "more" }, `仅显示前 ${page.rows.length} 个单位`) : null);
}

async function renderTopic(target, p) {
  const name = p.get("name");
  const m = await api("/api/matrix", new URLSearchParams({ limit: 0 }));
  const totals = m.total ? m.total.cells : [];
  const pick = el("ul", { class: "topics" }, totals.map((c) =>
    el("li", { class: c.topic === name ? "on" : null }, link(pageUrl({ view: "topic", name: c.topic, offset: null }), [c.topic, el("span", { class: "fc" }, String(c.sections))]))));
  if (!name) {
    put(target, heading("主题"), el("p", { class: "lead" }, "选择一个主题，按相关程度列出讨论它的段落（数字为实质讨论该主题的段落数）。"), pick);
    return;
  }
  const offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
  const q = new URLSearchParams({ name, limit: PAGE, offset });
  for (const f of ["province", "city", "county", "bureau", "year"]) if (p.get(f)) q.set(f, p.get(f));
  const page = await api("/api/topic", q);
  document.title = `${page.topic} · 主题 · 法治报告检索`;
  const hits = page.hits.map((h) => {
    const li = hitItem(h, null);
    li.querySelector(".meta").append(el("span", { class: "score", title: "主题得分" }, h.topic_score.toFixed(2)));
    li.append(el("div", { class: "terms" }, h.terms.map((t) => el("span", {}, `${t.term}×${t.count}`))));
    return li;
  });
  const xq = new URLSearchParams({ topic: page.topic });
  put(target, 
    el("div", { class: "bar" }, el("span", { class: "count" }, `主题：${page.topic}`), ...filterChips(p),
      el("a", { class: "button", href: "/api/export?" + xq + "&format=csv", download: "" }, "下载 CSV"),
      el("a", { class: "button", href: "/api/export?" + xq + "&format=xlsx", download: "" }, "下载 XLSX")),
    el("details", { class: "topic-pick" }, el("summary", {}, "其他主题"), pick),
    el("ol", { class: "hits", start: offset + 1 }, hits),
    pager(null, offset, PAGE, page.more));
}

function heat(t) {
  const l = 97 - 60 * Math.max(0, Math.min(1, t));
  return [`hsl(212, 72%, ${l.toFixed(0)}%)`, l < 60 ? "#fff" : "#1a1a1a"];
}

async function renderMatrix(target, p) {
  const q = new URLSearchParams({ limit: 60 });
  for (const f of ["province", "city", "county", "bureau", "year"]) if (p.get(f)) q.set(f, p.get(f));
  const m = await api("/api/matrix", q);
  if (!m.total) {
    put(target, heading("单位 × 主题"), el("p", {}, "没有符合条件的段落。"));
    return;
  }
  const max = Math.max(0.0001, ...m.bureaus.flatMap((r) => r.cells.map((c) => c.share)));
  const row = (r, cls) => el("tr", { class: cls },
    el("th", { class: "b", scope: "row" }, r.bureau), el("td", { class: "n" }, String(r.reports)), el("td", { class: "n" }, String(r.sections)),
    r.cells.map((c) => {
      const [bg, fg] = heat(c.share / max);
      const td = el("td", { class: "cell", title: `${r.bureau} · ${c.topic}：${c.sections} / ${r.sections} 段（${(c.share * 100).toFixed(1)}%）` },
        c.sections ? link(pageUrl({ view: "topic", name: c.topic, bureau: r.bureau === "(全部)" ? null : r.bureau }, ""), String(c.sections)) : "·");
      td.style.background = bg;
      td.style.color = fg;
      return td;
    }));
  put(target, 
    heading("单位 × 主题"),
    el("p", { class: "lead" }, `每格：实质讨论该主题的段落数；颜色越深，占该单位段落的比例越高。显示段落最多的 ${m.bureaus.length} 个单位（共 ${m.bureaus_total} 个）。`, ...filterChips(p)),
    el("div", { class: "table-wrap" },
      el("table", { class: "matrix" },
        el("thead", {}, el("tr", {}, el("th", {}, "单位"), el("th", {}, "报告"), el("th", {}, "段落"), m.topics.map((t) => el("th", { class: "t" }, el("span", {}, t))))),
        el("tbody", {}, m.bureaus.map((r) => row(r, null)), row(m.total, "total")))));
}

// ---- wiring ------------------------------------------------------------------

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = document.getElementById("q").value.trim();
  const view = params().get("view");
  const keep = view === "bureaus" ? { view } : { view: null };
  go(Object.assign({ q: q || null, offset: null, doc: null, section: null, name: null }, keep));
});
window.addEventListener("popstate", render);
render();
