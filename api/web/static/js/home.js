/* The workbench's landing page: the work of the signed-in user's roles. */
"use strict";
OneThing.start((user) => {
  for (const card of document.querySelectorAll("#cards [data-roles]")) {
    card.hidden = !user.roles.some((r) => card.dataset.roles.split(" ").includes(r));
  }
});
