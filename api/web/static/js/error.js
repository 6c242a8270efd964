/* The error page: the navigation bar and the account menu, also for whoever is signed out. */
"use strict";
OneThing.start(() => {}, { signedOutToo: true });
