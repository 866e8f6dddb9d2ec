/// <reference path="../../pb_data/types.d.ts" />
// What a milestone's two parties agreed stays as agreed. Once a milestone leaves `pending` (the
// freelancer started it), its terms — title, amount and due date — are frozen, and it can no
// longer be deleted: an approved €1,200 milestone must not turn into €1 after the fact. The
// description (notes) and the position (order in the list) stay the owner's to edit.

const FROZEN_FIELDS = ["title", "amount", "due_date"]

const STATUS_WORDS = {
  in_progress: "in progress",
  submitted: "submitted",
  approved: "approved",
}

function sameValue(field, before, after) {
  if (field === "amount") {
    return before.getFloat(field) === after.getFloat(field)
  }
  return before.getString(field) === after.getString(field)
}

// Refuses (400 with a readable message) an update that changes a started milestone's terms or
// deletes it. Superusers (operators fixing data) are not limited.
function checkMilestoneTerms(e) {
  if (e.hasSuperuserAuth()) {
    return
  }
  const before = e.record.original()
  const status = before.getString("status")
  if (status === "pending") {
    return
  }
  const word = STATUS_WORDS[status] || status
  const changed = FROZEN_FIELDS.filter((field) => !sameValue(field, before, e.record))
  if (changed.length > 0) {
    throw new BadRequestError("This milestone is " + word + "; its title, amount and due date were agreed " +
      "when work started and can't be changed.")
  }
  if (e.record.getBool("deleted") && !before.getBool("deleted")) {
    throw new BadRequestError("This milestone is " + word + "; work on it has started, so it can't be deleted.")
  }
}

module.exports = {
  FROZEN_FIELDS,
  checkMilestoneTerms,
}
