/// <reference path="../pb_data/types.d.ts" />
// Gigdesk server-side logic. Handlers run in isolated contexts, so each one requires its
// helpers from gigdesk/ itself.

// ------------------------------------------------------------------ chat token
routerAdd("GET", "/api/chat/token", (e) => {
  return require(`${__hooks}/gigdesk/chat.js`).tokenRoute(e)
}, $apis.requireAuth("users"))

// operators (and tests) can push the chat queue without waiting for the cron tick
routerAdd("POST", "/api/chat/jobs/deliver", (e) => {
  const result = require(`${__hooks}/gigdesk/chat.js`).deliverPending(e.app, { limit: 500, timeout: 10 })
  return e.json(200, result)
}, $apis.requireSuperuserAuth())

cronAdd("gigdesk_chat_jobs", "* * * * *", () => {
  require(`${__hooks}/gigdesk/chat.js`).deliverPending($app, { limit: 500, timeout: 10 })
})

// ------------------------------------------------------------------ private fields
// A non-superuser's records list may not sort or filter by a private field (email), on any
// relation path: the order alone would give the address away (gigdesk/private_fields.js).
routerUse((e) => {
  require(`${__hooks}/gigdesk/private_fields.js`).guardListRequest(e)
  return e.next()
})

// ------------------------------------------------------------------ sync lists
// After 3 empty filtered lists in 3 s on a collection, PocketBase sleeps a random 0-500 ms
// before answering a non-superuser (a guard against timing attacks through list filters).
// Every incremental pull the desktop makes asks exactly that: `updated >= cursor`, usually
// with nothing new. Signed-in users get their (empty) answer at once; guests keep the guard.
// The rules still filter every row: this only answers what the query found, without the wait.
onRecordsListRequest((e) => {
  if (e.records.length === 0 && e.auth && e.auth.collection().name === "users") {
    return e.json(200, e.result)
  }
  e.next()
}, "users", "projects", "proposals", "milestones", "reviews")

// ------------------------------------------------------------------ transactions
// Every user write to the marketplace collections runs in one transaction, so the record,
// its side effects (acceptance) and its queued chat jobs commit or fail together.
onRecordCreateRequest((e) => {
  e.app.runInTransaction((txApp) => {
    e.app = txApp
    e.next()
  })
}, "projects", "proposals", "milestones", "reviews")

onRecordUpdateRequest((e) => {
  const domain = require(`${__hooks}/gigdesk/domain.js`)
  switch (e.collection.name) {
    case "projects": domain.checkProjectUpdate(e); break
    case "proposals": domain.checkProposalUpdate(e); break
    case "milestones": domain.checkMilestoneUpdate(e); break
  }
  e.app.runInTransaction((txApp) => {
    // the checks above (rules and hooks) read the record before this transaction began
    domain.checkUnchangedSince(txApp, e.record)
    e.app = txApp
    e.next()
  })
}, "projects", "proposals", "milestones", "reviews")

onRecordCreateRequest((e) => {
  require(`${__hooks}/gigdesk/domain.js`).checkProfile(e.record)
  e.next()
}, "users")

onRecordUpdateRequest((e) => {
  require(`${__hooks}/gigdesk/domain.js`).checkProfile(e.record)
  e.next()
}, "users")

// ------------------------------------------------------------------ model hooks
// These run for every save, API or server side, inside the caller's transaction.
onRecordCreate((e) => {
  require(`${__hooks}/gigdesk/domain.js`).stampDeleted(e.record)
  e.next()
  if (e.record.collection().name === "projects") {
    require(`${__hooks}/gigdesk/chat.js`).queueProjectCreated(e.app, e.record)
  }
}, "projects", "proposals", "milestones", "reviews")

onRecordUpdate((e) => {
  require(`${__hooks}/gigdesk/domain.js`).stampDeleted(e.record)
  const before = e.record.original()
  e.next()
  const name = e.record.collection().name
  if (name === "projects") {
    require(`${__hooks}/gigdesk/chat.js`).queueProjectUpdated(e.app, e.record, before)
  } else if (name === "proposals" &&
             e.record.getString("status") === "accepted" && before.getString("status") !== "accepted") {
    require(`${__hooks}/gigdesk/domain.js`).applyAcceptance(e.app, e.record)
  }
}, "projects", "proposals", "milestones", "reviews")

// ------------------------------------------------------------------ chat delivery
// After the commit: try the project's chat jobs right away; failures wait for the cron.
onRecordAfterCreateSuccess((e) => {
  require(`${__hooks}/gigdesk/chat.js`).deliverSoon(e.app, e.record.id)
  e.next()
}, "projects")

onRecordAfterUpdateSuccess((e) => {
  require(`${__hooks}/gigdesk/chat.js`).deliverSoon(e.app, e.record.id)
  e.next()
}, "projects")
