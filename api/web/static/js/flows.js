/* Flow administration: each bundle's flow versions, which one new cases start on, deploying a
   version, comparing it with the deployed one, uploading a file, and the modeler. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, formatDateTime, badge, table, showError } = OneThing;
  const SOURCE = { shipped: "随系统发布", upload: "管理员上传" };
  const upload = document.getElementById("upload");

  async function load() {
    const bundles = await api("GET", "/api/bundles");
    if (!upload.bundle.options.length) {
      for (const b of bundles) upload.bundle.append(h("option", { value: b.code }, b.name));
    }
    fill("#bundles", bundles.map((b) => h("section", { dataset: { bundle: b.code } },
      h("h2", {}, b.name, " ", h("span", { class: "muted" }, b.code)),
      h("p", {}, `新办件使用第 ${b.deployed_version ?? "—"} 版；${b.items.length} 个事项：${b.items.map((i) => i.name).join("、")}`),
      h("div", { class: "actions" },
        h("a", { class: "button primary", href: `/app/admin/flows/${encodeURIComponent(b.code)}/modeler` }, "在建模器中编辑")),
      table(["版本", "来源", "创建时间", "部署时间", "", ""], b.versions.slice().reverse().map((v) => [
        `第 ${v.version} 版`, SOURCE[v.source] || v.source, formatDateTime(v.created_at), formatDateTime(v.deployed_at),
        v.current ? badge("新办件使用中", "green") : h("button", { type: "button", onclick: (e) => deploy(e.target, b, v) }, "部署此版本"),
        h("span", {}, h("a", { href: `/app/admin/flows/${encodeURIComponent(b.code)}/modeler?version=${v.version}` }, "打开"),
          " ", v.current ? null : h("button", { type: "button", class: "link", onclick: (e) => diff(e.target, b, v) }, "与使用中版本比较")),
      ])),
      h("div", { class: "diff" }))));
  }

  function deploy(button, bundle, version) {
    busy(button, async () => {
      await api("POST", `/api/flows/${encodeURIComponent(bundle.code)}/versions/${version.version}/deploy`);
      await load();
      flash(`${bundle.name}：已部署第 ${version.version} 版，新办件将按此版本办理；在办办件仍按原版本办理。`);
    });
  }

  function diff(button, bundle, version) {
    busy(button, async () => {
      const d = await api("GET", `/api/flows/${encodeURIComponent(bundle.code)}/diff?from=${bundle.deployed_version}&to=${version.version}`);
      const box = document.querySelector(`section[data-bundle="${CSS.escape(bundle.code)}"] .diff`);
      fill(box, h("h3", {}, `第 ${d.from} 版 → 第 ${d.to} 版的变化`),
        h("p", {}, `新增：${d.added.join("、") || "无"}`), h("p", {}, `删除：${d.removed.join("、") || "无"}`),
        h("p", {}, `修改：${d.changed.map((c) => `${c.element_id}（${c.aspects.join("、")}）`).join("；") || "无"}`));
    });
  }

  upload.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(upload.querySelector("button"), async () => {
      const file = upload.file.files[0];
      if (!file) throw new OneThing.ApiError(422, { message_zh: "请选择 BPMN 文件", errors: { xml: ["请选择文件"] } });
      const xml = await file.text();
      try {
        const answer = await api("POST", "/api/flows", { bundle: upload.bundle.value, xml });
        fill("#upload-report", reportList(answer.report.problems));
        await load();
        flash(answer.created ? `已保存为第 ${answer.version.version} 版（尚未部署）。` : `该文件与第 ${answer.version.version} 版相同，未重复保存。`);
      } catch (err) {
        fill("#upload-report", reportList(problemsOf(err)));
        throw err;
      }
    }, upload);
  });

  function problemsOf(err) {
    if (err.body && Array.isArray(err.body.problems)) return err.body.problems;
    return Object.entries(err.fieldErrors).filter(([k]) => k.startsWith("xml.")).map(([k, text]) => ({
      element_id: k.slice(4), severity: "error", message_zh: text }));
  }

  function reportList(problems) {
    if (!problems.length) return h("p", { class: "notice ok" }, "检查通过，没有发现问题。");
    return h("ul", { class: "problems" }, problems.map((p) => h("li", { class: `${p.severity}-item` },
      p.severity === "error" ? "错误" : "提示", p.element_id ? `（${p.element_id}）` : "", `：${p.message_zh}`)));
  }

  try {
    await load();
  } catch (err) {
    showError(err);
  }
});
