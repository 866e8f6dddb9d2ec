/// <reference path="../../pb_data/types.d.ts" />
// Marketplace rules that API rules cannot express: status machines with readable errors,
// soft-delete bookkeeping and proposal acceptance.

function nowString() {
  return new Date().toISOString().replace("T", " ")
}

function isSuperuser(e) {
  return e.hasSuperuserAuth()
}

// deleted_at follows deleted, whoever saves the record.
function stampDeleted(record) {
  if (record.getBool("deleted")) {
    if (record.getString("deleted_at") === "") {
      record.set("deleted_at", nowString())
    }
  } else if (record.getString("deleted_at") !== "") {
    record.set("deleted_at", "")
  }
}

// Status machine the owner drives by hand. A project becomes in_progress only through an
// accepted proposal (server side), never by editing it.
const PROJECT_MOVES = {
  open: ["cancelled"],
  in_progress: ["completed", "cancelled"],
  cancelled: ["open"],
  completed: [],
}

function checkProjectUpdate(e) {
  if (isSuperuser(e)) {
    return
  }
  const before = e.record.original()
  const from = before.getString("status")
  const to = e.record.getString("status")
  if (from === to) {
    return
  }
  if (to === "in_progress") {
    throw new BadRequestError("A project starts when you accept a proposal; its status can't be set to in_progress directly.")
  }
  if (to === "open" && before.getString("hired_freelancer") !== "") {
    throw new BadRequestError("This project already has a hired freelancer and can't be reopened.")
  }
  if ((PROJECT_MOVES[from] || []).indexOf(to) < 0) {
    throw new BadRequestError("A project can't move from " + from + " to " + to + ".")
  }
}

function checkProposalUpdate(e) {
  if (isSuperuser(e)) {
    return
  }
  const before = e.record.original()
  const from = before.getString("status")
  const to = e.record.getString("status")
  const me = e.auth.id

  if (me === before.getString("freelancer")) {
    if (from !== "sent") {
      throw new BadRequestError("This proposal is " + from + "; only a sent proposal can be edited or withdrawn.")
    }
    return
  }

  // the project owner: the rule lets them through only to accept or reject
  if (from !== "sent") {
    throw new BadRequestError("This proposal is " + from + "; only a sent proposal can be accepted or rejected.")
  }
  if (before.getBool("deleted")) {
    throw new BadRequestError("This proposal was deleted by the freelancer.")
  }
  if (to === "accepted") {
    const project = e.app.findRecordById("projects", before.getString("project"))
    if (project.getBool("deleted")) {
      throw new BadRequestError("The project was deleted; its proposals can't be accepted.")
    }
    if (project.getString("status") !== "open") {
      throw new BadRequestError("The project is " + project.getString("status") + "; proposals can only be accepted while it is open.")
    }
  }
}

// Runs inside the transaction of the proposal save (see gigdesk.pb.js): hire, start the
// project and turn the other sent proposals down.
function applyAcceptance(app, proposal) {
  const project = app.findRecordById("projects", proposal.getString("project"))
  if (project.getBool("deleted") || project.getString("status") !== "open" ||
      project.getString("hired_freelancer") !== "") {
    throw new BadRequestError("The project is no longer open: another proposal may have been accepted meanwhile.")
  }
  project.set("hired_freelancer", proposal.getString("freelancer"))
  project.set("status", "in_progress")
  app.save(project)

  const others = app.findRecordsByFilter(
    "proposals",
    "project = {:project} && status = 'sent' && id != {:id}",
    "", 0, 0,
    { project: project.id, id: proposal.id },
  )
  for (const other of others) {
    other.set("status", "rejected")
    app.save(other)
  }

  // Hiring makes the project's milestones visible to the freelancer: the project save above
  // re-stamps them (departures.js, for every change of owner or hired freelancer), so that an
  // incremental pull by cursor and the realtime stream bring them to the freelancer.
}

// who may make which milestone move; the rules already limit the target statuses per role
const MILESTONE_MOVES = {
  "pending>in_progress": "freelancer",
  "in_progress>submitted": "freelancer",
  "submitted>in_progress": "either",
  "submitted>approved": "owner",
}

// The names a file field holds after this request: kept files by name, new uploads as
// files not yet stored (their final names are made when the record is saved).
function fileFieldChanged(record, field) {
  const kept = record.original().getStringSlice(field)
  const now = record.getStringSlice(field)
  if (record.getUnsavedFiles(field).length > 0 || kept.length !== now.length) {
    return true
  }
  return kept.some((name, i) => name !== now[i])
}

function checkMilestoneUpdate(e) {
  if (isSuperuser(e)) {
    return
  }
  const before = e.record.original()
  const from = before.getString("status")
  const to = e.record.getString("status")
  // the rules let only the hired freelancer touch deliverables, in an update that asks for
  // `submitted`; here: only the one that really submits (not a submitted milestone again)
  if (fileFieldChanged(e.record, "deliverables") && !(from === "in_progress" && to === "submitted")) {
    throw new BadRequestError("Deliverables are handed in with the submission: they can be added or replaced only when submitting a milestone that is in progress.")
  }
  if (from === to) {
    return
  }
  const project = e.app.findRecordById("projects", before.getString("project"))
  const role = project.getString("owner") === e.auth.id ? "owner" : "freelancer"
  const allowed = MILESTONE_MOVES[from + ">" + to]
  if (!allowed || (allowed !== "either" && allowed !== role)) {
    throw new BadRequestError("A milestone can't move from " + from + " to " + to +
      (allowed ? " by the " + role + "." : "."))
  }
  if (project.getString("status") !== "in_progress") {
    throw new BadRequestError("The project is " + project.getString("status") + "; milestones move only while it is in progress.")
  }
}

// skills is a JSON field; keep it what the desktop shows: a short list of short labels
function checkProfile(record) {
  const raw = toString(record.get("skills") || "")
  if (raw === "" || raw === "null") {
    return
  }
  let skills
  try {
    skills = JSON.parse(raw)
  } catch (_) {
    skills = null
  }
  const ok = Array.isArray(skills) && skills.length <= 30 &&
    skills.every((s) => typeof s === "string" && s.trim() !== "" && s.length <= 50)
  if (!ok) {
    throw new BadRequestError("Skills must be a list of at most 30 labels of 1 to 50 characters.", {
      skills: new ValidationError("validation_invalid_skills", "Must be a list of at most 30 labels of 1 to 50 characters."),
    })
  }
}

// A concurrent write between the request's checks and its transaction (for example a
// freelancer withdrawing while the owner accepts) must not be overwritten blindly.
function checkUnchangedSince(app, record) {
  const current = app.findRecordById(record.collection().name, record.id)
  if (current.getString("updated") !== record.original().getString("updated")) {
    throw new BadRequestError("This record was changed meanwhile; reload it and try again.")
  }
}

module.exports = {
  checkProfile,
  checkUnchangedSince,
  stampDeleted,
  checkProjectUpdate,
  checkProposalUpdate,
  applyAcceptance,
  checkMilestoneUpdate,
}
