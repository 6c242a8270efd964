/* One of the applicant's cases, phone first: progress by department, and what they can do online
   without a trip — upload and hand in a correction or the tolerated materials, choose how the
   results reach them (e-licence, mail, a pickup slot), take the e-licences, download the case's
   documents, rate the service (好差评). */
"use strict";
const MyCase = (() => {
  const { api, h, fill, busy, flash } = OneThing;
  const quiet = { stayOnPage: true };
  const DELIVERIES = { online: "电子证照（发放到本账户）", mail: "邮寄送达", window: "窗口领取" };
  const DOCUMENTS = { receipt: "受理回执", correction: "补正告知书", refusal: "不予许可决定书", handover: "统一出件清单",
    elicences: "电子证照" };
  const RATINGS = [[5, "非常满意"], [4, "满意"], [3, "基本满意"], [2, "不满意"], [1, "非常不满意"]];

  function base(number) {
    return `/api/applicant/cases/${encodeURIComponent(number)}`;
  }

  function uploader(number, material, onDone) {
    const { input, button } = OneThing.filePicker("拍照或选择文件上传", { multiple: true,
      accept: "image/jpeg,image/png,application/pdf", "aria-label": `${material.name}：上传` });
    input.addEventListener("change", () => busy(null, async () => {
      if (!input.files.length) return;
      const data = new FormData();
      for (const file of input.files) data.append("file", file, file.name);
      await api("POST", `${base(number)}/materials/${encodeURIComponent(material.key)}/files`, data, quiet);
      flash(`${material.name}：已上传`);
      await onDone();
    }));
    return button;
  }

  function toDo(c, t, reload) {
    const what = t.kind === "correction" ? `${t.title}需要补正` : `${t.title}须于 ${t.due} 前补交`;
    const ready = t.materials.every((m) => m.uploaded.length);
    const hand = t.kind === "correction"
      ? () => api("POST", `${base(c.number)}/corrections/${encodeURIComponent(t.item)}`, {}, quiet)
      : () => api("POST", `${base(c.number)}/supplements`, undefined, quiet);
    return h("li", { class: "notice warn to-do" }, h("strong", {}, what),
      t.reason ? h("p", {}, `理由：${t.reason}`) : null,
      h("ul", { class: "plain" }, t.materials.map((m) => h("li", { class: "owed" },
        h("p", {}, h("strong", {}, m.name), m.note ? `：${m.note}` : ""),
        uploader(c.number, m, reload),
        h("p", { class: "hint" }, m.uploaded.length ? `已上传：${m.uploaded.join("、")}` : "尚未上传")))),
      h("button", { type: "button", class: "primary", disabled: !ready,
        onclick: (event) => busy(event.target, async () => {
          await hand();
          flash(t.kind === "correction" ? "补正材料已提交，审批部门将继续办理" : "容缺材料已补交");
          await reload();
        }) }, t.kind === "correction" ? "提交补正材料" : "提交补交材料"));
  }

  async function deliveryForm(c, reload) {
    const offered = await api("GET", `${base(c.number)}/delivery`, undefined, quiet);
    const chosen = c.delivery || {};
    const box = h("form", { class: "delivery", novalidate: true },
      h("div", { class: "choices stacked" }, Object.entries(DELIVERIES).map(([value, text]) => h("label", {},
        h("input", { type: "radio", name: "delivery", value, checked: chosen.delivery === value }), text))),
      h("div", { class: "field", dataset: { for: "mail" } },
        h("label", { for: "my-address", "data-label-for": "address" }, "收件地址、收件人和电话"),
        h("textarea", { id: "my-address", name: "address", maxlength: 200, rows: 2, value: chosen.address || "" }),
        h("span", { class: "error", "data-error-for": "address" })),
      h("div", { class: "field", dataset: { for: "window" } },
        h("label", { for: "my-slot", "data-label-for": "slot" }, "领取时段"),
        c.results_ready ? h("select", { id: "my-slot", name: "slot" }, h("option", { value: "" }, "请选择"),
          offered.slots.map((s) => h("option", { value: s.slot, selected: chosen.slot === s.slot }, s.label)))
          : h("p", { class: "hint muted" }, "办结后可预约领取时段"),
        h("span", { class: "error", "data-error-for": "slot" })),
      h("span", { class: "error", "data-error-for": "delivery" }),
      h("button", { type: "submit" }, "保存领取方式"));
    const show = () => {
      const picked = box.querySelector("input[name=delivery]:checked");
      for (const part of box.querySelectorAll("[data-for]")) part.hidden = !picked || picked.value !== part.dataset.for;
    };
    for (const radio of box.querySelectorAll("input[name=delivery]")) radio.addEventListener("change", show);
    show();
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(box.querySelector("button[type=submit]"), async () => {
        const picked = box.querySelector("input[name=delivery]:checked");
        await api("PUT", `${base(c.number)}/delivery`, { delivery: picked ? picked.value : "",
          address: box.elements.address.value.trim(), slot: box.elements.slot ? box.elements.slot.value : "" }, quiet);
        flash("领取方式已保存");
        await reload();
      }, box);
    });
    return box;
  }

  function ratingForm(c, reload) {
    const box = h("form", { class: "rating", novalidate: true },
      h("div", { class: "choices stacked", "data-label-for": "rating" }, RATINGS.map(([value, text]) => h("label", {},
        h("input", { type: "radio", name: "rating", value: String(value) }), text))),
      h("span", { class: "error", "data-error-for": "rating" }),
      h("div", { class: "field" }, h("label", { for: "my-rating-comment", "data-label-for": "rating_comment" },
        "意见（不满意时请写明）"),
        h("textarea", { id: "my-rating-comment", name: "rating_comment", maxlength: 500, rows: 2 }),
        h("span", { class: "error", "data-error-for": "rating_comment" })),
      h("button", { type: "submit", class: "primary" }, "提交评价"));
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(box.querySelector("button[type=submit]"), async () => {
        const picked = box.querySelector("input[name=rating]:checked");
        await api("POST", `${base(c.number)}/rating`, { rating: picked ? Number(picked.value) : 0,
          rating_comment: box.elements.rating_comment.value.trim() }, quiet);
        flash("感谢您的评价");
        await reload();
      }, box);
    });
    return box;
  }

  function results(c, reload) {
    const parts = [];
    if (c.results_ready && c.delivery && c.delivery.delivery === "online") {
      parts.push(h("p", {}, "全部事项已办结，可将电子证照领取到本账户。"),
        h("button", { type: "button", class: "primary", id: "take-elicences",
          onclick: (event) => busy(event.target, async () => {
            await api("POST", `${base(c.number)}/elicences`, undefined, quiet);
            flash("电子证照已发放到您的账户");
            await reload();
          }) }, "领取电子证照"));
    } else if (c.results_ready) {
      parts.push(h("p", {}, "全部事项已办结，请选择领取方式。"));
    }
    if (c.handed_over) {
      const how = { online: "电子证照", mail: "邮寄送达", window: "窗口领取" }[c.handed_over.delivery] || c.handed_over.delivery;
      parts.push(h("p", {}, `已出件（${how}）`, c.handed_over.tracking_number ? `，快递单号 ${c.handed_over.tracking_number}` : ""));
    }
    if (c.licences.length) {
      parts.push(h("ul", { class: "plain licences" }, c.licences.map((l) => h("li", {}, h("strong", {}, l.name), `　${l.number}`))));
    }
    return parts;
  }

  async function render(box, number) {
    const reload = () => render(box, number);
    const c = await api("GET", base(number), undefined, quiet);
    const open = !["closed", "terminated"].includes(c.status);
    box.hidden = false;
    fill(box, h("h2", {}, `${c.bundle}　${c.number}`), h("p", {}, h("strong", {}, c.state)),
      h("p", { class: "muted" }, `受理 ${c.accepted_on}，承诺办结 ${c.due_on || "—"}` + (c.closed_on ? `，出件 ${c.closed_on}` : "")),
      c.to_do.length ? [h("h3", {}, "需要您办理"), h("ul", { class: "plain" }, c.to_do.map((t) => toDo(c, t, reload)))] : null,
      c.refusals.length ? [h("h3", {}, "不予许可"), h("ul", {}, c.refusals.map((r) => h("li", {}, `${r.item}：${r.reason}`)))] : null,
      h("h3", {}, "各部门进度"),
      h("ul", { class: "plain" }, c.departments.map((d) => h("li", {}, h("strong", {}, d.name),
        h("ul", {}, d.items.map((i) => h("li", {}, `${i.name}：${i.state}`)))))),
      h("h3", {}, "办理结果"), results(c, reload),
      open ? [h("h4", {}, `领取方式：${c.delivery ? DELIVERIES[c.delivery.delivery] : "尚未选择"}`
        + (c.delivery && c.delivery.slot_label ? `（${c.delivery.slot_label}）` : "")), await deliveryForm(c, reload)] : null,
      h("h3", {}, "文书下载"),
      h("ul", { class: "plain documents" }, c.notices.map((kind) => h("li", {},
        h("a", { class: "button", href: `${base(c.number)}/notices/${kind}.pdf`, download: "" }, `${DOCUMENTS[kind] || kind}（PDF）`)))),
      c.status === "closed" ? [h("h3", {}, "服务评价"), c.rating ? h("p", {}, `您的评价：${c.rating.label}`
        + (c.rating.comment ? `（${c.rating.comment}）` : "")) : ratingForm(c, reload)] : null);
  }

  return { render };
})();
