/* Flow administration: each bundle's flow versions, which one new cases start on, deploying a
   version, comparing it with the deployed one, uploading a file, and the modeler. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, formatDateTime, badge, table, showError } = OneThing;
  const SOURCE = { shipped: "随系统发布", upload: "管理员上传", created: "新建时生成" };
  const upload = document.getElementById("upload");
  const create = document.getElementById("create");

  async function load() {
    const bundles = await api("GET", "/api/bundles");
    fill(upload.bundle, bundles.map((b) => h("option", { value: b.code, selected: b.code === upload.bundle.value }, b.name)));
    const chosen = new Set([...create.querySelectorAll("input[name=items]:checked")].map((c) => c.value));
    fill("#create-items", bundles.filter((b) => b.deployed_version !== null).map((b) => h("fieldset", {},
      h("legend", {}, b.name),
      b.items.map((i) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "items", value: i.code, checked: chosen.has(i.code) }),
        ` ${i.name}（${i.department_name}）`)))));
    fill("#bundles", bundles.map((b) => h("section", { dataset: { bundle: b.code } },
      h("h2", {}, b.name, " ", h("code", { class: "muted" }, b.code)),
      h("p", {}, `新办件使用第 ${b.deployed_version ?? "—"} 版；${b.items.length} 个事项：${b.items.map((i) => i.name).join("、")}`),
      h("div", { class: "actions" },
        h("a", { class: "button primary", href: `/app/admin/flows/${encodeURIComponent(b.code)}/modeler` }, "在建模器中编辑"),
        h("a", { class: "button", href: `/app/admin/flows/${encodeURIComponent(b.code)}/dry-run` }, "试运行"),
        h("a", { class: "button", href: `/app/admin/flows/${encodeURIComponent(b.code)}/migration` }, "在办办件迁移")),
      table(["版本", "来源", "创建时间", "部署时间", "", ""], b.versions.slice().reverse().map((v) => [
        `第 ${v.version} 版`, SOURCE[v.source] || v.source, formatDateTime(v.created_at), formatDateTime(v.deployed_at),
        v.current ? badge("新办件使用中", "green") : h("button", { type: "button", onclick: (e) => deploy(e.target, b, v) }, "部署此版本"),
        h("span", {}, h("a", { href: `/app/admin/flows/${encodeURIComponent(b.code)}/modeler?version=${v.version}` }, "打开"),
          " ", v.current ? null : h("button", { type: "button", class: "link", onclick: (e) => diff(e.target, b, b.deployed_version, v.version) }, "与使用中版本比较")),
      ])),
      compareForm(b),
      h("div", { class: "diff" }))));
  }

  function deploy(button, bundle, version) {
    busy(button, async () => {
      await api("POST", `/api/flows/${encodeURIComponent(bundle.code)}/versions/${version.version}/deploy`);
      await load();
      flash(`${bundle.name}：已部署第 ${version.version} 版，新办件将按此版本办理；在办办件仍按原版本办理。`);
    });
  }

  /* Two versions chosen side by side, compared on demand. */
  function compareForm(bundle) {
    const choices = (selected) => bundle.versions.map((v) => h("option", { value: v.version, selected: v.version === selected }, `第 ${v.version} 版`));
    const last = bundle.versions.length ? bundle.versions[bundle.versions.length - 1].version : null;
    const from = h("select", { name: "from", "aria-label": "比较的原版本" }, choices(bundle.deployed_version ?? last));
    const to = h("select", { name: "to", "aria-label": "比较的新版本" }, choices(last));
    return h("div", { class: "row compare" },
      h("div", { class: "field" }, h("label", {}, "版本比较：从"), from),
      h("div", { class: "field" }, h("label", {}, "到"), to),
      h("div", { class: "field" }, h("button", { type: "button", onclick: (e) => diff(e.target, bundle, Number(from.value), Number(to.value)) }, "比较")));
  }

  function diff(button, bundle, fromVersion, toVersion) {
    busy(button, async () => {
      const d = await api("GET", `/api/flows/${encodeURIComponent(bundle.code)}/diff?from=${fromVersion}&to=${toVersion}`);
      const names = FlowNames.namesOf(bundle);
      const elements = d.elements || {};
      const row = (what, id, detail) => {
        const info = elements[id];
        return [what, FlowNames.label(id, elements, names), FlowNames.kindOf(info), FlowNames.department(info, names) || "—", detail];
      };
      const rows = [
        ...d.added.map((id) => row(h("span", { class: "badge green" }, "新增"), id, "—")),
        ...d.removed.map((id) => row(h("span", { class: "badge red" }, "删除"), id, "—")),
        ...d.changed.map((c) => row(h("span", { class: "badge" }, "修改"), c.element_id, c.aspects.map((a) => FlowNames.aspectText(c, a, names)).join("；"))),
      ];
      const box = document.querySelector(`section[data-bundle="${CSS.escape(bundle.code)}"] .diff`);
      fill(box, h("h3", {}, `第 ${d.from} 版 → 第 ${d.to} 版的变化`),
        h("p", { class: "muted" }, `新增 ${d.added.length} 处，删除 ${d.removed.length} 处，修改 ${d.changed.length} 处。`),
        table(["变化", "元素", "类别", "部门", "修改内容"], rows, "两个版本的流程相同"));
    });
  }

  create.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(create.querySelector("button"), async () => {
      const items = [...create.querySelectorAll("input[name=items]:checked")].map((c) => c.value);
      const body = { name: create.name.value.trim(), code: create.code.value.trim(), number_prefix: create.number_prefix.value.trim(),
        subject: create.subject.value || null, items };
      const answer = await api("POST", "/api/bundles", body);
      create.reset();
      await load();
      flash(`已新建“${answer.bundle.name}”，生成第 ${answer.version.version} 版流程（尚未部署）：可在建模器中修改，试运行后部署。`);
      document.querySelector(`section[data-bundle="${CSS.escape(answer.bundle.code)}"]`)?.scrollIntoView({ block: "start" });
    }, create);
  });

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
