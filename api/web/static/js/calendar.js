/* The working-day calendar: a year's days off and working weekends, the administrators'
   overrides (which win), and confirming a year that has no official data yet. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, flash, table, badge } = OneThing;
  const yearSelect = document.getElementById("year");
  const form = document.getElementById("override");
  const confirmButton = document.getElementById("confirm");
  const thisYear = Number(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric" }).format(new Date()));
  for (let y = thisYear - 1; y <= thisYear + 2; y += 1) yearSelect.append(h("option", { value: y, selected: y === thisYear }, `${y} 年`));
  const WEEKDAY = ["日", "一", "二", "三", "四", "五", "六"];
  const dayText = (iso) => `${iso}（周${WEEKDAY[new Date(`${iso}T00:00:00Z`).getUTCDay()]}）`;

  async function load() {
    const year = yearSelect.value;
    // Not offered while the year is loading: a click then would confirm a year not yet checked.
    confirmButton.hidden = true;
    const c = await api("GET", `/api/calendar/${year}`);
    fill("#year-status", c.official ? badge("官方节假日安排", "green")
      : c.confirmed_by ? badge(`已由 ${c.confirmed_by} 确认`, "green") : badge("尚无官方安排，到期日为估算", "yellow"),
    `　全年 ${c.working_days} 个工作日`);
    confirmButton.hidden = !c.needs_confirmation;
    fill("#overrides", table(["日期", "调整为", "依据", ""], c.overrides.map((o) => [dayText(o.day),
      o.kind === "holiday" ? "放假" : "上班", o.reason,
      h("button", { type: "button", class: "link", onclick: (e) => remove(e.target, o.day) }, "撤销")]), "本年度没有人工调整"));
    fill("#days-off", h("p", {}, c.weekday_days_off.map(dayText).join("、") || "无"));
    fill("#working-weekends", h("p", {}, c.working_weekends.map(dayText).join("、") || "无"));
  }

  function remove(button, day) {
    busy(button, async () => {
      await api("DELETE", `/api/calendar/overrides/${day}`);
      await load();
      flash(`已撤销 ${day} 的调整，在办审批的到期日已重新计算。`);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button"), async () => {
      const day = form.day.value;
      if (!day) throw new OneThing.ApiError(422, { message_zh: "请选择日期", errors: { day: ["必填"] } });
      await api("PUT", `/api/calendar/overrides/${day}`, { kind: form.kind.value, reason: form.reason.value.trim() });
      if ([...yearSelect.options].some((o) => o.value === day.slice(0, 4))) yearSelect.value = day.slice(0, 4);
      await load();
      flash(`已将 ${day} 调整为${form.kind.value === "holiday" ? "放假" : "上班"}，在办审批的到期日已重新计算。`);
      form.reset();
    }, form);
  });
  confirmButton.addEventListener("click", () => busy(confirmButton, async () => {
    await api("POST", `/api/calendar/${yearSelect.value}/confirm`);
    await load();
    flash(`已确认 ${yearSelect.value} 年工作日历。`);
  }));
  yearSelect.addEventListener("change", () => busy(null, load));
  await load();
});
