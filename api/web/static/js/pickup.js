/* Unified pickup (统一出件): every granted result and every written refusal handed over together
   (and the items not decided because a prerequisite was refused, with why), with the applicant's
   five-level rating (好差评). */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, param, busy, flash, labels, formatDateTime } = OneThing;
  const ref = param("ref");
  const form = document.getElementById("pickup");
  await CaseBits.loadCatalogue();

  function render(c) {
    fill("#pickup-title", `统一出件：${c.number}`);
    fill("#pickup-summary", CaseBits.summary(c));
    fill("#pickup-results", h("p", { id: "pickup-count" }, `共 ${c.items.length} 项事项：${counts(c)}。`), CaseBits.results(c));
    form.hidden = c.status !== "awaiting_pickup";
    if (c.status === "in_review") {
      flash(`该办件尚有 ${c.open_tasks.filter((t) => t.kind === "approval").length} 项审批未完成，全部办结后才能统一出件。`, "warn");
    } else if (c.status === "closed") {
      const handed = c.timeline.filter((e) => e.type === "ResultsHandedOver").pop();
      const d = handed ? handed.data : {};
      flash(`已于 ${formatDateTime(handed ? handed.at : c.closed_at)} 出件（${labels.delivery[d.delivery] || ""}` +
        `${d.recipient_name ? `，领取人 ${d.recipient_name}` : ""}）` + (d.rating_label ? `，申请人评价：${d.rating_label}` : "") + "。", "ok");
    } else if (c.status === "terminated") {
      flash("该办件已终止，无需出件。", "warn");
    }
    if (!form.recipient_name.value && c.applicant) form.recipient_name.value = c.applicant.name || "";
  }

  function counts(c) {
    return `准予许可 ${c.results.granted.length} 项、不予许可 ${c.results.refused.length} 项、` +
      `不再办理 ${CaseBits.notApplicable(c).length} 项（前置事项未获准予）`;
  }

  render(await api("GET", `/api/cases/${encodeURIComponent(ref)}`));
  const showTracking = () => { document.getElementById("tracking-field").hidden = form.delivery.value !== "mail"; };
  for (const radio of form.querySelectorAll("input[name=delivery]")) radio.addEventListener("change", showTracking);
  /* How the applicant chose to receive the results online: the form starts from their choice. */
  const chosen = (await api("GET", `/api/cases/${encodeURIComponent(ref)}/delivery`)).delivery;
  if (chosen) {
    const choice = document.getElementById("pickup-choice");
    choice.hidden = false;
    fill(choice, `申请人选择：${labels.delivery[chosen.delivery] || chosen.delivery}` +
      (chosen.address ? `，寄往 ${chosen.address}` : "") + (chosen.slot_label ? `，预约 ${chosen.slot_label} 领取` : ""));
    const radio = form.querySelector(`input[name=delivery][value="${CSS.escape(chosen.delivery)}"]`);
    if (radio) radio.checked = true;
  }
  showTracking();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(document.getElementById("hand-over"), async () => {
      OneThing.clearErrors(form);
      const body = { delivery: form.delivery.value };
      const recipient = form.recipient_name.value.trim();
      if (recipient) body.recipient_name = recipient;
      if (body.delivery === "mail") body.tracking_number = form.tracking_number.value.trim();
      const comment = form.comment.value.trim();
      if (comment) body.comment = comment;
      if (form.rating.value) body.rating = Number.parseInt(form.rating.value, 10);
      const ratingComment = form.rating_comment.value.trim();
      if (ratingComment) body.rating_comment = ratingComment;
      form.dataset.key = form.dataset.key || OneThing.newKey();
      const c = await api("POST", `/api/cases/${encodeURIComponent(ref)}/pickup`, body, { key: form.dataset.key });
      delete form.dataset.key;
      render(c);
      flash(`出件完成：${counts(c)}的结果已一并交付` +
        (body.rating ? `；评价：${labels.rating[body.rating]}` : "") + "。", "ok");
    }, form);
  });
});
