/* Shared data for administrators (共享数据): what each registry holds, loading one from a CSV or XLSX
   file with the report of refused rows, and the files loaded before. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, table, formatDateTime, ApiError } = OneThing;
  const form = document.getElementById("upload");
  let kinds = [];

  async function overview() {
    kinds = (await api("GET", "/api/registries")).registries;
    fill("#registries", table(["类别", "记录", "条数", "最近导入"], kinds.map((k) => [
      h("span", {}, k.name, " ", h("code", {}, k.kind)), k.record_name, String(k.records), k.last_import_at ? formatDateTime(k.last_import_at) : "—"])));
    if (!form.kind.options.length) {
      for (const k of kinds) form.kind.append(h("option", { value: k.kind }, k.name));
    }
    columns();
  }

  function columns() {
    const kind = kinds.find((k) => k.kind === form.kind.value);
    if (!kind) return;
    // The header may name a column by its label or by its key (a code, shown as one).
    fill("#columns", h("span", {}, "列：", ...kind.columns.flatMap((c, n) => [n ? "、" : "", c.label, "（",
      h("code", {}, c.key), c.required ? "，必填）" : "）"])));
  }

  async function history() {
    const found = await api("GET", `/api/registries/${encodeURIComponent(form.kind.value)}/imports`);
    fill("#imports", table(["时间", "文件", "方式", "导入人", "行数", "导入", "新增", "更新", "删除", "不合格"],
      found.imports.map((i) => [formatDateTime(i.imported_at), h("code", {}, i.filename),
        i.mode === "replace" ? "整体替换" : "增补", h("code", {}, i.imported_by), String(i.rows_total), String(i.rows_accepted), String(i.created), String(i.updated),
        String(i.removed), String(i.rows_rejected)]), "尚未导入过文件"));
  }

  function report(r) {
    const kind = kinds.find((k) => k.kind === r.kind);
    const label = (key) => ((kind && kind.columns.find((c) => c.key === key)) || { label: key }).label;
    const refused = r.rejected.map((row) => [String(row.line), row.key || "—",
      Object.entries(row.errors).map(([col, msgs]) => `${label(col)}：${msgs.join("；")}`).join("  ")]);
    fill("#report", h("div", {},
      h("p", {}, `共 ${r.rows_total} 行：导入 ${r.rows_accepted} 行（新增 ${r.created}，更新 ${r.updated}，删除 ${r.removed}），不合格 ${r.rows_rejected} 行。`),
      refused.length ? table(["行号", "记录编号", "原因"], refused) : null));
  }

  form.kind.addEventListener("change", () => { columns(); history(); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button"), async () => {
      OneThing.clearFlash();
      OneThing.clearErrors(form);
      const file = form.file.files[0];
      if (!file) throw new ApiError(422, { message_zh: "请选择文件", errors: { file: ["请选择 CSV 或 XLSX 文件"] } });
      const query = new URLSearchParams({ mode: form.mode.value, filename: file.name });
      const r = await api("POST", `/api/registries/${encodeURIComponent(form.kind.value)}/imports?${query}`, file);
      report(r);
      flash(`已导入 ${r.rows_accepted} 行${r.rows_rejected ? `，${r.rows_rejected} 行不合格` : ""}`, r.rows_rejected ? "warn" : "ok");
      await overview();
      await history();
    }, form);
  });

  await overview();
  await history();
});
