/// <reference path="../pb_data/types.d.ts" />
// projects, proposals and milestones with their access rules.
//
// Rules decide *who* may read or write which fields; pb_hooks/ enforces *when* (the status
// machines), because a rule can only answer "not found" while a hook can say why.
// Nothing is ever hard-deleted by a user: deleteRule is null everywhere and deleting is
// setting `deleted`, so every client's cache learns about it through an ordinary update.
migrate((app) => {
  const usersId = app.findCollectionByNameOrId("users").id
  const signedIn = '@request.auth.id != "" && @request.auth.collectionName = "users"'

  const softDeleteFields = () => [
    { name: "deleted", type: "bool" },
    { name: "deleted_at", type: "date" },
    { name: "created", type: "autodate", onCreate: true, onUpdate: false },
    { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
  ]

  // ---------------------------------------------------------------- projects
  const projects = new Collection({
    id: "pbc_gd_projects",
    type: "base",
    name: "projects",
    fields: [
      { name: "title", type: "text", required: true, max: 200 },
      { name: "description", type: "text", max: 20000 },
      { name: "budget", type: "number", min: 0 },
      { name: "currency", type: "text", max: 3, pattern: "^[A-Z]{3}$" },
      { name: "status", type: "select", required: true, maxSelect: 1,
        values: ["open", "in_progress", "completed", "cancelled"] },
      { name: "owner", type: "relation", required: true, maxSelect: 1,
        collectionId: usersId, cascadeDelete: false },
      { name: "hired_freelancer", type: "relation", maxSelect: 1,
        collectionId: usersId, cascadeDelete: false },
      ...softDeleteFields(),
    ],
    indexes: [
      "CREATE INDEX idx_projects_updated_id ON projects (updated, id)",
      "CREATE INDEX idx_projects_owner ON projects (owner)",
      "CREATE INDEX idx_projects_hired_freelancer ON projects (hired_freelancer)",
      "CREATE INDEX idx_projects_status_deleted ON projects (status, deleted)",
    ],
  })
  app.save(projects)

  // ---------------------------------------------------------------- proposals
  const proposals = new Collection({
    id: "pbc_gd_proposals",
    type: "base",
    name: "proposals",
    fields: [
      { name: "project", type: "relation", required: true, maxSelect: 1,
        collectionId: projects.id, cascadeDelete: false },
      { name: "freelancer", type: "relation", required: true, maxSelect: 1,
        collectionId: usersId, cascadeDelete: false },
      { name: "cover_letter", type: "text", max: 10000 },
      { name: "amount", type: "number", min: 0 },
      { name: "estimated_days", type: "number", min: 0, onlyInt: true },
      { name: "status", type: "select", required: true, maxSelect: 1,
        values: ["sent", "accepted", "rejected", "withdrawn"] },
      ...softDeleteFields(),
    ],
    indexes: [
      "CREATE INDEX idx_proposals_updated_id ON proposals (updated, id)",
      // one live proposal per freelancer and project; withdrawn or deleted ones don't count
      "CREATE UNIQUE INDEX idx_proposals_live ON proposals (project, freelancer) " +
        "WHERE deleted = FALSE AND status != 'withdrawn'",
      "CREATE INDEX idx_proposals_freelancer ON proposals (freelancer)",
      "CREATE INDEX idx_proposals_project_status ON proposals (project, status)",
    ],
  })
  app.save(proposals)

  // ---------------------------------------------------------------- milestones
  const milestones = new Collection({
    id: "pbc_gd_milestones",
    type: "base",
    name: "milestones",
    fields: [
      { name: "project", type: "relation", required: true, maxSelect: 1,
        collectionId: projects.id, cascadeDelete: false },
      { name: "title", type: "text", required: true, max: 200 },
      { name: "description", type: "text", max: 10000 },
      { name: "amount", type: "number", min: 0 },
      { name: "due_date", type: "date" },
      { name: "position", type: "number", onlyInt: true },
      { name: "status", type: "select", required: true, maxSelect: 1,
        values: ["pending", "in_progress", "submitted", "approved"] },
      ...softDeleteFields(),
    ],
    indexes: [
      "CREATE INDEX idx_milestones_updated_id ON milestones (updated, id)",
      "CREATE INDEX idx_milestones_project_position ON milestones (project, position)",
    ],
  })
  app.save(milestones)

  // ---------------------------------------------------------------- rules
  // Those who took part in a project keep seeing it in every state, deleted included, so
  // that their caches learn about status changes and deletions.
  projects.listRule = signedIn + ' && ((status = "open" && deleted = false) || owner = @request.auth.id' +
    ' || hired_freelancer = @request.auth.id || proposals_via_project.freelancer ?= @request.auth.id)'
  projects.viewRule = projects.listRule
  projects.createRule = signedIn + ' && owner = @request.auth.id && status = "open" && hired_freelancer = ""'
  projects.updateRule = signedIn + ' && owner = @request.auth.id' +
    ' && @request.body.owner:changed = false && @request.body.hired_freelancer:changed = false'
  projects.deleteRule = null
  app.save(projects)

  proposals.listRule = signedIn + ' && (freelancer = @request.auth.id || project.owner = @request.auth.id)'
  proposals.viewRule = proposals.listRule
  proposals.createRule = signedIn + ' && freelancer = @request.auth.id && status = "sent"' +
    ' && project.owner != @request.auth.id && project.status = "open" && project.deleted = false'
  proposals.updateRule = signedIn +
    ' && @request.body.project:changed = false && @request.body.freelancer:changed = false && (' +
    // the freelancer edits their own proposal (the hook allows it only while `sent`) or withdraws it
    '(freelancer = @request.auth.id && (@request.body.status:changed = false || @request.body.status = "withdrawn"))' +
    // the project owner only decides: accepted or rejected, nothing else changes
    ' || (project.owner = @request.auth.id && (@request.body.status = "accepted" || @request.body.status = "rejected")' +
    ' && @request.body.cover_letter:changed = false && @request.body.amount:changed = false' +
    ' && @request.body.estimated_days:changed = false && @request.body.deleted:changed = false))'
  proposals.deleteRule = null
  app.save(proposals)

  milestones.listRule = signedIn +
    ' && (project.owner = @request.auth.id || project.hired_freelancer = @request.auth.id)'
  milestones.viewRule = milestones.listRule
  milestones.createRule = signedIn + ' && project.owner = @request.auth.id && project.deleted = false && status = "pending"'
  milestones.updateRule = signedIn + ' && @request.body.project:changed = false && (' +
    // the owner edits everything; of the statuses only `approved` and back to `in_progress`
    '(project.owner = @request.auth.id && (@request.body.status:changed = false' +
    ' || @request.body.status = "approved" || @request.body.status = "in_progress"))' +
    // the hired freelancer only moves the work forward: in_progress or submitted
    ' || (project.hired_freelancer = @request.auth.id && deleted = false' +
    ' && (@request.body.status = "in_progress" || @request.body.status = "submitted")' +
    ' && @request.body.title:changed = false && @request.body.description:changed = false' +
    ' && @request.body.amount:changed = false && @request.body.due_date:changed = false' +
    ' && @request.body.position:changed = false && @request.body.deleted:changed = false))'
  milestones.deleteRule = null
  app.save(milestones)
}, (app) => {
  for (const name of ["milestones", "proposals", "projects"]) {
    app.delete(app.findCollectionByNameOrId(name))
  }
})
