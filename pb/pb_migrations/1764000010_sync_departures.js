/// <reference path="../pb_data/types.d.ts" />
// sync_departures: "this record may have left your view". PocketBase sends nothing to someone
// who can no longer see a record (a project that stops being open, a superuser's hard delete, a
// relation moved by a superuser), and an incremental pull filtered by the same rule cannot show
// it either. The hooks in pb_hooks/gigdesk-departures.pb.js write one row per (record, change)
// in the transaction of the change; the desktop pulls this collection incrementally like any
// other (and follows it live), and re-checks each listed record it holds with a list by id
// under its own rules: a record the server no longer lists for the user leaves the cache.
//
// A row is readable by everyone who may have seen the record before the change (`viewers`),
// or by every signed-in user (`everyone`) when the record was public (an open project, a user
// profile). Rows carry ids only, never content. Nobody but the hooks writes them; a daily cron
// drops rows older than the retention (30 days): a desktop that has not synced for that long
// re-lists its ids once instead.
migrate((app) => {
  const usersId = app.findCollectionByNameOrId("users").id
  const signedIn = '@request.auth.id != "" && @request.auth.collectionName = "users"'

  const departures = new Collection({
    id: "pbc_gd_departures",
    type: "base",
    name: "sync_departures",
    fields: [
      { name: "source", type: "select", required: true, maxSelect: 1,
        values: ["users", "projects", "proposals", "milestones"] },
      { name: "record", type: "text", required: true, min: 1, max: 15, pattern: "^[a-z0-9]+$" },
      // the record's `updated` after the change (or at its hard delete): a cached copy newer
      // than this came back into view afterwards and is not touched
      { name: "record_updated", type: "text", max: 30 },
      { name: "everyone", type: "bool" },
      { name: "viewers", type: "relation", maxSelect: 999, collectionId: usersId, cascadeDelete: false },
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_sync_departures_updated_id ON sync_departures (updated, id)",
      "CREATE INDEX idx_sync_departures_created ON sync_departures (created)",
    ],
    listRule: signedIn + " && (everyone = true || viewers.id ?= @request.auth.id)",
    viewRule: signedIn + " && (everyone = true || viewers.id ?= @request.auth.id)",
    createRule: null,
    updateRule: null,
    deleteRule: null,
  })
  app.save(departures)
}, (app) => {
  app.delete(app.findCollectionByNameOrId("sync_departures"))
})
