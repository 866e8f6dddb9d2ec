/// <reference path="../pb_data/types.d.ts" />
// Incremental sync lists ask for `updated >= cursor` sorted by `updated, id`; the answer must
// come from the `(updated, id)` index, whatever the rule joins.
//
// With indexes on projects(owner) and projects(hired_freelancer), SQLite (it has no statistics
// for these tables) turns the milestones rule `project.owner = me || project.hired_freelancer
// = me` into a MULTI-INDEX OR over projects: it walks every project of the user, looks up
// their milestones and sorts them. For someone with 40 000 projects that is 50-75 ms of SQL for
// an empty incremental page and ~175 ms per full page. Without the two indexes the
// only plan left walks milestones by (updated, id) and joins projects by primary key:
// ~0 ms empty, ~8 ms per full page. No other rule or hook reads projects by owner or
// hired_freelancer (their rules OR a back-relation or a second table, so they already start
// from the (updated, id) index).
migrate((app) => {
  const projects = app.findCollectionByNameOrId("projects")
  projects.removeIndex("idx_projects_owner")
  projects.removeIndex("idx_projects_hired_freelancer")
  app.save(projects)
}, (app) => {
  const projects = app.findCollectionByNameOrId("projects")
  projects.addIndex("idx_projects_owner", false, "owner", "")
  projects.addIndex("idx_projects_hired_freelancer", false, "hired_freelancer", "")
  app.save(projects)
})
