/// <reference path="../pb_data/types.d.ts" />
// Visibility changes for the desktop's sync (gigdesk/departures.js). Model hooks: they run for
// every save and delete (API, batch, other hooks, the dashboard) inside its transaction, so a
// change and its departure rows commit together.

onRecordUpdate((e) => {
  const before = e.record.original()
  e.next()
  const departures = require(`${__hooks}/gigdesk/departures.js`)
  switch (e.record.collection().name) {
    case "projects": departures.projectChanged(e.app, before, e.record); break
    case "proposals": departures.proposalChanged(e.app, before, e.record); break
    case "milestones": departures.milestoneChanged(e.app, before, e.record); break
  }
}, "projects", "proposals", "milestones")

onRecordCreate((e) => {
  e.next()
  require(`${__hooks}/gigdesk/departures.js`).proposalCreated(e.app, e.record)
}, "proposals")

onRecordDelete((e) => {
  const departures = require(`${__hooks}/gigdesk/departures.js`)
  const plan = departures.beforeDelete(e.app, e.record)
  e.next()
  departures.deleted(e.app, plan)
}, "users", "projects", "proposals", "milestones")

// The desktop pulls departures like the other collections, `updated >= cursor`, nearly always
// empty: answered without PocketBase's throttle on empty filtered lists (see gigdesk.pb.js).
onRecordsListRequest((e) => {
  if (e.records.length === 0 && e.auth && e.auth.collection().name === "users") {
    return e.json(200, e.result)
  }
  e.next()
}, "sync_departures")

cronAdd("gigdesk_sync_departures_prune", "17 3 * * *", () => {
  require(`${__hooks}/gigdesk/departures.js`).prune($app, 30)
})
