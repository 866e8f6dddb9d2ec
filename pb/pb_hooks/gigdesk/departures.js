/// <reference path="../../pb_data/types.d.ts" />
// Visibility changes the desktop's incremental sync cannot see by itself (see
// pb_migrations/1764000010_sync_departures.js): losses are written to sync_departures, gains
// re-stamp the records that entered someone's view so that a pull by cursor and the realtime
// stream bring them.

// An open, live project is listed for every signed-in user.
function isPublicProject(project) {
  return project.getString("status") === "open" && !project.getBool("deleted")
}

function unique(ids) {
  const seen = {}
  const out = []
  for (const id of ids) {
    if (id && !seen[id]) {
      seen[id] = true
      out.push(id)
    }
  }
  return out
}

// One row: `source`/`recordId` may have left the view of `viewers` (or of everyone).
function depart(app, source, recordId, recordUpdated, everyone, viewers) {
  const ids = unique(viewers || [])
  if (!everyone && ids.length === 0) {
    return
  }
  const row = new Record(app.findCollectionByNameOrId("sync_departures"))
  row.set("source", source)
  row.set("record", recordId)
  row.set("record_updated", recordUpdated || "")
  row.set("everyone", !!everyone)
  row.set("viewers", ids)
  // written by the server only; a viewer may be a user that no longer exists
  app.saveNoValidate(row)
}

function findProject(app, id) {
  try {
    return app.findRecordById("projects", id)
  } catch (_) {
    return null
  }
}

function childrenOf(app, collection, projectId) {
  return app.findRecordsByFilter(collection, "project = {:project}", "", 0, 0, { project: projectId })
}

// Everyone who sees a project without it being public: owner, hired freelancer, proposers.
function projectViewers(app, project) {
  const ids = [project.getString("owner"), project.getString("hired_freelancer")]
  for (const proposal of childrenOf(app, "proposals", project.id)) {
    ids.push(proposal.getString("freelancer"))
  }
  return ids
}

function proposalViewers(app, proposal) {
  const project = findProject(app, proposal.getString("project"))
  return [proposal.getString("freelancer"), project ? project.getString("owner") : ""]
}

function milestoneViewers(app, milestone) {
  const project = findProject(app, milestone.getString("project"))
  return project ? [project.getString("owner"), project.getString("hired_freelancer")] : []
}

// Saving a record again stamps a new `updated` (and sends realtime events to everyone who
// now sees it): the way a record that entered someone's view reaches their cache.
function restamp(app, records) {
  for (const record of records) {
    app.save(record)
  }
}

// After a project save (every save: API, batch, hooks, dashboard).
function projectChanged(app, before, project) {
  const updated = project.getString("updated")
  if (isPublicProject(before) && !isPublicProject(project)) {
    depart(app, "projects", project.id, updated, true, [])
  }

  const oldOwner = before.getString("owner")
  const oldHired = before.getString("hired_freelancer")
  const ownerChanged = oldOwner !== project.getString("owner")
  const hiredChanged = oldHired !== project.getString("hired_freelancer")
  if (!ownerChanged && !hiredChanged) {
    return
  }

  const leaving = []
  if (ownerChanged) leaving.push(oldOwner)
  if (hiredChanged) leaving.push(oldHired)
  depart(app, "projects", project.id, updated, false, leaving)

  const milestones = childrenOf(app, "milestones", project.id)
  for (const milestone of milestones) {
    depart(app, "milestones", milestone.id, milestone.getString("updated"), false, leaving)
  }
  // the new owner or freelancer now sees the milestones (hiring, a superuser's edit)
  restamp(app, milestones)

  if (ownerChanged) {
    const proposals = childrenOf(app, "proposals", project.id)
    for (const proposal of proposals) {
      depart(app, "proposals", proposal.id, proposal.getString("updated"), false, [oldOwner])
    }
    restamp(app, proposals)
  }
}

// A freelancer sees a project they proposed on in every state: a proposal that appears on a
// project that is not public (only a superuser can make one) brings the project into view.
function proposalCreated(app, proposal) {
  const project = findProject(app, proposal.getString("project"))
  if (project && !isPublicProject(project)) {
    restamp(app, [project])
  }
}

function proposalChanged(app, before, proposal) {
  const oldFreelancer = before.getString("freelancer")
  const oldProject = before.getString("project")
  if (oldFreelancer === proposal.getString("freelancer") && oldProject === proposal.getString("project")) {
    return
  }
  depart(app, "proposals", proposal.id, proposal.getString("updated"), false, proposalViewers(app, before))
  const project = findProject(app, oldProject)
  if (project) {
    depart(app, "projects", project.id, project.getString("updated"), false, [oldFreelancer])
  }
  proposalCreated(app, proposal)
}

function milestoneChanged(app, before, milestone) {
  if (before.getString("project") === milestone.getString("project")) {
    return
  }
  depart(app, "milestones", milestone.id, milestone.getString("updated"), false, milestoneViewers(app, before))
}

// Before a hard delete (only superusers delete): who saw the record, while its relations
// still resolve. Returns what `deleted` needs after the delete succeeded.
function beforeDelete(app, record) {
  const name = record.collection().name
  const plan = { source: name, id: record.id, updated: record.getString("updated"), everyone: false, viewers: [], also: [] }
  if (name === "users") {
    plan.everyone = true
  } else if (name === "projects") {
    plan.everyone = isPublicProject(record)
    plan.viewers = projectViewers(app, record)
  } else if (name === "proposals") {
    plan.viewers = proposalViewers(app, record)
    // without this proposal its freelancer may no longer see the project
    const project = findProject(app, record.getString("project"))
    if (project) {
      plan.also.push({ source: "projects", id: project.id, updated: project.getString("updated"),
                       viewers: [record.getString("freelancer")] })
    }
  } else if (name === "milestones") {
    plan.viewers = milestoneViewers(app, record)
  }
  return plan
}

function deleted(app, plan) {
  depart(app, plan.source, plan.id, plan.updated, plan.everyone, plan.viewers)
  for (const other of plan.also) {
    depart(app, other.source, other.id, other.updated, false, other.viewers)
  }
}

// Rows older than the retention; a desktop that has not pulled them re-lists its ids.
function prune(app, days) {
  const cutoff = new Date(Date.now() - days * 24 * 3600 * 1000).toISOString().replace("T", " ")
  app.db().newQuery("DELETE FROM sync_departures WHERE created < {:cutoff}").bind({ cutoff }).execute()
}

module.exports = {
  beforeDelete,
  deleted,
  milestoneChanged,
  projectChanged,
  proposalChanged,
  proposalCreated,
  prune,
}
