/* The files of a case's materials (一套材料 as scanned at the window): per material its versions,
   newest first, each with thumbnails of its files; a viewer that shows a file page by page (pages
   are rendered by the server, so a PDF needs nothing in the browser) with zoom; for the window, a
   new version uploaded beside the old ones. Used by the case page and the task page. */
"use strict";
const CaseFiles = (() => {
  const { api, h, fill, busy, flash, formatDateTime } = OneThing;
  const STAGES = { intake: "受理时提交", correction: "补正提交", supplement: "容缺补交" };
  const WIDTHS = [800, 1200, 1600];
  const ACCEPT = "image/jpeg,image/png,application/pdf";

  function pageUrl(file, page, width) {
    return file.page_url.replace("{page}", String(page)) + `?width=${width}`;
  }

  function size(bytes) {
    return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)}MB` : `${Math.max(1, Math.round(bytes / 1024))}KB`;
  }

  /* One viewer per page: the file shown, its page and zoom step. */
  function viewer(host) {
    const state = { file: null, title: "", page: 1, zoom: 0 };
    const image = h("img", { class: "file-page", alt: "" });
    const where = h("span", { class: "file-page-no", role: "status" });
    const prev = h("button", { type: "button", onclick: () => show(state.page - 1) }, "上一页");
    const next = h("button", { type: "button", onclick: () => show(state.page + 1) }, "下一页");
    const smaller = h("button", { type: "button", onclick: () => zoom(-1) }, "缩小");
    const larger = h("button", { type: "button", onclick: () => zoom(1) }, "放大");
    const original = h("a", { class: "button", target: "_blank", rel: "noopener" }, "打开原文件");
    const close = h("button", { type: "button", onclick: () => { host.hidden = true; } }, "关闭");
    const heading = h("h3", {});
    fill(host, heading, h("div", { class: "actions no-print" }, prev, where, next, smaller, larger, original, close),
      h("div", { class: "file-page-scroll" }, image));

    function show(page) {
      if (!state.file || page < 1 || page > state.file.pages) return;
      state.page = page;
      image.src = pageUrl(state.file, page, WIDTHS[state.zoom]);
      image.alt = `${state.title} 第 ${page} 页`;
      fill(where, `第 ${page} / ${state.file.pages} 页`);
      prev.disabled = page <= 1;
      next.disabled = page >= state.file.pages;
      smaller.disabled = state.zoom === 0;
      larger.disabled = state.zoom === WIDTHS.length - 1;
    }
    function zoom(step) {
      state.zoom = Math.min(Math.max(state.zoom + step, 0), WIDTHS.length - 1);
      show(state.page);
    }
    return {
      open(file, title) {
        Object.assign(state, { file, title, page: 1 });
        fill(heading, `${title} · ${file.filename}`);
        original.href = file.url;
        host.hidden = false;
        show(1);
        host.scrollIntoView({ block: "nearest" });
      },
    };
  }

  function versionBlock(material, version, current, view) {
    return h("div", { class: current ? "file-version current" : "file-version" },
      h("p", { class: "muted" }, current ? "当前版本" : `第 ${version.version} 版（已被替换）`,
        `　${STAGES[version.stage] || version.stage}　${formatDateTime(version.uploaded_at)}`),
      h("ul", { class: "file-thumbs" }, version.files.map((file) => h("li", {},
        material.readable
          ? h("button", { type: "button", class: "file-thumb", title: `查看 ${file.filename}`,
            onclick: () => view.open(file, `${material.name} 第 ${version.version} 版`) },
          h("img", { src: pageUrl(file, 1, 160), alt: file.filename, loading: "lazy" }),
          h("span", {}, `${file.filename}（${file.pages} 页，${size(file.size)}）`))
          : h("span", { class: "muted" }, `文件 ${file.part}（${file.pages} 页）`)))));
  }

  function uploader(number, key, name, reload) {
    const input = h("input", { type: "file", multiple: true, accept: ACCEPT, "aria-label": `${name}：选择扫描件` });
    const button = h("button", { type: "button" }, "上传新版本");
    button.addEventListener("click", () => busy(button, async () => {
      if (!input.files.length) {
        throw new OneThing.ApiError(422, { message_zh: "请先选择扫描件（JPEG、PNG 或 PDF）", errors: {} });
      }
      const answer = await upload(number, key, input.files);
      input.value = "";
      await reload();
      flash(`${name}：已上传第 ${answer.version} 版（${answer.files.length} 个文件）。`);
    }));
    return h("div", { class: "row no-print" }, input, button);
  }

  /* The files of one material as a new version: one request, every file in it. */
  function upload(number, key, files) {
    const form = new FormData();
    for (const file of files) form.append("file", file, file.name);
    return api("POST", `/api/cases/${encodeURIComponent(number)}/materials/${encodeURIComponent(key)}/files`, form);
  }

  /* ``keys``: the materials to show (every one of the case when null); ``names``: key -> name;
     ``notes``: key -> what a correction says is wrong with it; ``canUpload``: the window's new versions. */
  async function render(target, number, { keys = null, names = {}, notes = {}, canUpload = false } = {}) {
    const host = typeof target === "string" ? document.querySelector(target) : target;
    const listed = await api("GET", `/api/cases/${encodeURIComponent(number)}/files`);
    const byKey = Object.fromEntries(listed.materials.map((m) => [m.material, m]));
    const shown = keys || [...new Set([...Object.keys(names), ...Object.keys(byKey)])];
    const viewerHost = h("section", { class: "file-viewer card", hidden: true, "aria-label": "材料文件查看" });
    const view = viewer(viewerHost);
    const reload = () => render(host, number, { keys, names, notes, canUpload });
    fill(host, shown.length ? h("ul", { class: "file-materials" }, shown.map((key) => {
      const material = byKey[key] || { material: key, name: names[key] || key, readable: true, versions: [] };
      const title = names[key] || material.name;
      return h("li", { class: "file-material", dataset: { material: key } },
        h("h3", {}, title),
        notes[key] ? h("p", { class: "notice warn" }, `补正要求：${notes[key]}`) : null,
        material.versions.length ? material.versions.map((v, n) => versionBlock({ ...material, name: title }, v, n === 0, view))
          : h("p", { class: "muted" }, "尚未上传扫描件"),
        canUpload ? uploader(number, key, title, reload) : null);
    })) : h("p", { class: "muted" }, "本办件没有材料文件"), viewerHost);
  }

  return { render, upload };
})();
