/// <reference path="../pb_data/types.d.ts" />
// Files: a proposal's attachments (a portfolio, a quote), a milestone's deliverables (what the
// hired freelancer hands in when submitting it) and a user's avatar.
//
// Every file field is `protected`: PocketBase serves the file only with a file token
// (POST /api/files/token, short-lived) of someone the record's viewRule lets see the record,
// so a file URL that leaks (a log, a chat paste) is useless without an account that may see it.
// Limits live in the schema, where PocketBase checks them before anything is stored: the
// per-file size, the number of files and the MIME types (detected from the content, not the
// name). Deleting is soft everywhere (deleted = true), so a deleted record keeps its files.
//
// Who may change the files is in the rules below: the owner of a project never touches a
// proposal's attachments or a milestone's deliverables (404). *When* they may change is in
// pb_hooks/gigdesk/domain.js (readable 400s): attachments while the proposal is `sent`,
// deliverables only in the update that submits the milestone.

const MiB = 1024 * 1024

// Documents people exchange about freelance work. Nothing a browser would run when it opens
// the file (text/html, image/svg+xml, JavaScript): the files are served from the API's origin.
const DOCUMENT_TYPES = [
  "application/pdf",
  "text/plain",
  "text/csv",
  "text/markdown",
  "application/rtf",
  "application/zip",
  "application/x-7z-compressed",
  "application/gzip",
  "application/x-tar",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
  "application/vnd.oasis.opendocument.graphics",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
]
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"]
const VIDEO_TYPES = ["video/mp4", "video/webm", "video/quicktime"]

const ATTACHMENTS = {
  name: "attachments", type: "file", protected: true,
  maxSelect: 10, maxSize: 20 * MiB,
  mimeTypes: DOCUMENT_TYPES.concat(IMAGE_TYPES),
  thumbs: ["240x240f"],
}
const DELIVERABLES = {
  name: "deliverables", type: "file", protected: true,
  maxSelect: 10, maxSize: 100 * MiB,
  mimeTypes: DOCUMENT_TYPES.concat(IMAGE_TYPES, VIDEO_TYPES),
  thumbs: ["240x240f"],
}
const AVATAR = {
  name: "avatar", type: "file", protected: true,
  maxSelect: 1, maxSize: 2 * MiB,
  mimeTypes: IMAGE_TYPES,
  thumbs: ["96x96", "240x240"],
}

// The rules of 1764000001_marketplace.js, with the file fields added.
function marketplaceRules(files) {
  const signedIn = '@request.auth.id != "" && @request.auth.collectionName = "users"'
  const untouched = (field) => files ? ` && @request.body.${field}:changed = false` : ""
  return {
    proposals: signedIn +
      ' && @request.body.project:changed = false && @request.body.freelancer:changed = false && (' +
      '(freelancer = @request.auth.id && (@request.body.status:changed = false || @request.body.status = "withdrawn"))' +
      ' || (project.owner = @request.auth.id && (@request.body.status = "accepted" || @request.body.status = "rejected")' +
      ' && @request.body.cover_letter:changed = false && @request.body.amount:changed = false' +
      ' && @request.body.estimated_days:changed = false && @request.body.deleted:changed = false' +
      untouched("attachments") + '))',
    milestonesCreate: signedIn + ' && project.owner = @request.auth.id && project.deleted = false && status = "pending"' +
      (files ? ' && deliverables:length = 0' : ""),
    milestones: signedIn + ' && @request.body.project:changed = false && (' +
      '(project.owner = @request.auth.id && (@request.body.status:changed = false' +
      ' || @request.body.status = "approved" || @request.body.status = "in_progress")' +
      untouched("deliverables") + ')' +
      ' || (project.hired_freelancer = @request.auth.id && deleted = false' +
      ' && (@request.body.status = "in_progress" || @request.body.status = "submitted")' +
      ' && @request.body.title:changed = false && @request.body.description:changed = false' +
      ' && @request.body.amount:changed = false && @request.body.due_date:changed = false' +
      ' && @request.body.position:changed = false && @request.body.deleted:changed = false' +
      (files ? ' && (@request.body.deliverables:changed = false || @request.body.status = "submitted")' : "") +
      '))',
  }
}

migrate((app) => {
  const rules = marketplaceRules(true)

  const proposals = app.findCollectionByNameOrId("proposals")
  proposals.fields.add(new FileField(ATTACHMENTS))
  proposals.updateRule = rules.proposals
  app.save(proposals)

  const milestones = app.findCollectionByNameOrId("milestones")
  milestones.fields.add(new FileField(DELIVERABLES))
  milestones.createRule = rules.milestonesCreate
  milestones.updateRule = rules.milestones
  app.save(milestones)

  const users = app.findCollectionByNameOrId("users")
  const avatar = users.fields.getByName("avatar")
  avatar.protected = AVATAR.protected
  avatar.maxSelect = AVATAR.maxSelect
  avatar.maxSize = AVATAR.maxSize
  avatar.mimeTypes = AVATAR.mimeTypes
  avatar.thumbs = AVATAR.thumbs
  app.save(users)
}, (app) => {
  const rules = marketplaceRules(false)

  const proposals = app.findCollectionByNameOrId("proposals")
  proposals.fields.removeByName("attachments")
  proposals.updateRule = rules.proposals
  app.save(proposals)

  const milestones = app.findCollectionByNameOrId("milestones")
  milestones.fields.removeByName("deliverables")
  milestones.createRule = rules.milestonesCreate
  milestones.updateRule = rules.milestones
  app.save(milestones)

  // the stock avatar of a fresh install
  const users = app.findCollectionByNameOrId("users")
  const avatar = users.fields.getByName("avatar")
  avatar.protected = false
  avatar.maxSelect = 1
  avatar.maxSize = 0
  avatar.mimeTypes = ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"]
  avatar.thumbs = []
  app.save(users)
})
