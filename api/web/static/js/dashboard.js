/* The savings dashboard (四减一优): closed cases' figures before (the items done separately) and
   after (this case), per bundle and overall, against the published targets, with the charts. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, percent, table, badge, ApiError } = OneThing;
  const form = document.getElementById("report-filter");
  const CHARTS = { before_after: "办理前后对比", targets: "成效与公布目标", time_distribution: "办理时间分布" };
  const chartUrls = [];

  const bundles = await api("GET", "/api/bundles");
  for (const b of bundles) form.bundle.append(h("option", { value: b.code }, b.name));

  function query() {
    const q = new URLSearchParams();
    if (form.bundle.value) q.set("bundle", form.bundle.value);
    if (form.service_point.value) q.set("service_point", form.service_point.value);
    if (form.from.value) q.set("from", form.from.value);
    if (form.to.value) q.set("to", form.to.value);
    return q;
  }

  function number(value, digits = 1) {
    return value === null || value === undefined ? "—" : String(Math.round(value * 10 ** digits) / 10 ** digits);
  }

  function given(value) {
    return value !== null && value !== undefined;
  }

  function met(check) {
    if (check.met === null || check.met === undefined) return badge("暂无数据");
    return check.met ? badge("达标", "green") : badge("未达标", "red");
  }

  async function chart(name, q) {
    const response = await fetch(`/api/reports/savings/charts/${name}.svg?${q}`, { credentials: "same-origin" });
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (err) { body = null; }
      throw new ApiError(response.status, body);
    }
    const url = URL.createObjectURL(await response.blob());
    chartUrls.push(url);
    return h("figure", { class: "chart card" }, h("img", { src: url, alt: CHARTS[name] }), h("figcaption", { class: "muted" }, CHARTS[name]));
  }

  async function load() {
    let report;
    const q = query();
    try {
      report = await api("GET", `/api/reports/savings?${q}`);
    } catch (err) {
      if (OneThing.isMissingEndpoint(err)) {
        fill("#targets", h("p", { class: "notice warn" }, "成效统计接口（/api/reports/savings）暂不可用，看板无法显示。"));
        return;
      }
      throw err;
    }
    const overall = report.overall;
    const labels = report.figure_labels;
    fill("#targets-source", `统计 ${report.count} 件已办结办件。目标来源：${report.targets_source}`);
    fill("#targets", table(["指标", "公布目标", "实际", "是否达标"], overall.targets.map((t) => [
      t.label, percent(t.target), percent(t.achieved), met(t)])));
    fill("#figures", table(["指标", "分别办理（基线）", "一件事办理（实际）", "平均减少", "合计减少"],
      Object.entries(overall.figures).map(([name, f]) => [labels[name] || name, number(f.mean_baseline), number(f.mean_actual),
        percent(f.mean_reduction), percent(f.pooled_reduction)])));
    // Two shares: of every field of the form, and of the fields a data source could fill.
    fill("#prefill", `表单免填写：预填字段平均占表单全部字段的 ${percent(overall.mean_prefilled_share)}，` +
      `占可由数据源预填字段的 ${percent(overall.mean_prefilled_of_prefillable)}` +
      (given(overall.mean_fields_prefillable) ? `（平均每件可预填 ${number(overall.mean_fields_prefillable)} 项）。` : "。") +
      (given(overall.mean_materials_shared) ? `材料免提交：平均每件 ${number(overall.mean_materials_shared)} 份由共享数据替代，` +
        `${number(overall.mean_materials_elicence)} 份由电子证照替代。` : ""));
    fill("#exports", h("a", { href: `/api/reports/savings.csv?${q}` }, "导出 CSV"), "　",
      h("a", { href: `/api/reports/savings.xlsx?${q}` }, "导出 Excel"));
    fill("#per-bundle", table(["一件事", "办结件数", ...overall.targets.map((t) => t.label), "可预填字段已预填", "材料免提交", "公布数据"], report.bundles.map((b) => [
      b.name, String(b.count), ...b.targets.map((t) => [percent(t.achieved), " ", met(t)]),
      percent(b.mean_prefilled_of_prefillable),
      given(b.mean_materials_shared) ? `${number(b.mean_materials_shared)} + ${number(b.mean_materials_elicence)}` : "—",
      (b.published || []).map((p) => `${labels[p.figure] || p.figure} ` +
        // Before and after only side by side when one source published both.
        (given(p.before) && given(p.after) ? `${p.before}→${p.after}`
          : given(p.reduction) ? `减少 ${percent(p.reduction)}` : given(p.after) ? `办理后 ${p.after}` : `办理前 ${p.before}`) +
        (p.place ? `（${p.place}）` : "")).join("；") || "—",
    ]), "所选范围内没有已办结的办件"));
    await loadPoints(q);
    while (chartUrls.length) URL.revokeObjectURL(chartUrls.pop());
    fill("#charts", await Promise.all(Object.keys(CHARTS).map((name) => chart(name, q).catch((err) =>
      h("p", { class: "notice error" }, `${CHARTS[name]}：${err.message}`)))));
    await loadLeaders();
  }

  /* 领导看板: the period's completion, timeliness, satisfaction and complaints, overall, per bundle and by month. */
  async function loadLeaders() {
    const period = new URLSearchParams();
    if (form.from.value) period.set("from", form.from.value);
    if (form.to.value) period.set("to", form.to.value);
    const report = await api("GET", `/api/reports/leaders?${period}`);
    const share = (v) => percent(v);
    const row = (name, f) => [name, String(f.accepted), String(f.closed), share(f.completion_rate), String(f.overdue),
      share(f.on_time_rate), share(f.satisfaction_rate), String(f.complaints),
      given(f.median_resolution_days) ? `${number(f.median_resolution_days)} 天` : "—"];
    fill("#leaders", table(["范围", "受理", "办结", "办结率", "超期", "按时办结率", "满意率", "诉求", "诉求办结中位"],
      [row(`全部（${report.from} 至 ${report.to}）`, report.overall),
        ...report.groups.bundle.map((b) => row(b.name, b)), ...report.months.map((m) => row(m.month, m))]));
    const response = await fetch(`/api/reports/leaders/chart.svg?${period}&size=month`, { credentials: "same-origin" });
    const url = URL.createObjectURL(await response.blob());
    chartUrls.push(url);
    fill("#leader-chart", h("figure", { class: "chart card" }, h("img", { src: url, alt: "受理、办结与满意率（按月）" })));
    fill("#leader-exports", h("a", { href: `/api/reports/leaders.xlsx?${period}` }, "导出 Excel"), "　",
      h("a", { href: `/api/reports/leaders.pdf?${period}` }, "下载月报（PDF）"));
  }

  /* Per service point, in its hierarchy (a county under the city, its townships under it). */
  async function loadPoints(q) {
    const only = new URLSearchParams(q);
    only.delete("service_point"); // every point's row, whichever the figures above are filtered by
    const report = await api("GET", `/api/reports/service-points?${only}`);
    if (form.service_point.options.length === 1) {
      OneThing.append(form.service_point, report.points.filter((p) => p.code).map((p) =>
        h("option", { value: p.code }, `${"　".repeat(p.depth)}${p.name}`)));
    }
    const minutes = (m) => (given(m) ? `${number(m)} 分钟` : "—");
    fill("#per-point", table(["服务点", "层级", "受理", "其中上门办理", "其中帮办代办", "办结", "平均跑动（分别办理→一件事）",
      "取号", "等候中位数", "等候 95% 分位", "叫号到受理中位数"], report.points.map((p) => [
      h("span", { class: `depth-${Math.min(p.depth, 3)}` }, p.name), p.level_name || "—", String(p.accepted),
      String(p.home_visits), String(p.by_agents), String(p.closed),
      given(p.trips_actual) ? `${number(p.trips_baseline)} → ${number(p.trips_actual)}` : "—",
      String(p.tickets), minutes(p.wait_p50_minutes), minutes(p.wait_p95_minutes), minutes(p.to_acceptance_p50_minutes),
    ]), "暂无服务点"));
    const names = Object.fromEntries(report.points.map((p) => [p.code, p.name]));
    fill("#per-agent", table(["帮办代办员", "服务点", "代办件数"], report.agents.map((a) => [
      a.name || a.agent, names[a.point] || "—", String(a.cases)]), "统计期间没有帮办代办的办件"));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    OneThing.clearErrors(form);
    busy(form.querySelector("button"), load, form);
  });
  await load();
});
