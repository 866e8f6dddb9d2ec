/// <reference path="../../pb_data/types.d.ts" />
// Accounts: whether an email address has an account is nobody's business but its owner's.
//
// Stock PocketBase answers a sign-up with a taken address "400 validation_not_unique" and a
// request to change one's address to a taken one "400 validation_invalid_new_email": one
// request per guess tells anyone who uses Gigdesk. Sign-in, password reset and verification
// requests already answer alike for known and unknown addresses.
//
// Addresses are also compared without regard to case: PocketBase's own unique index and
// sign-in compare them byte for byte, so `Alice@example.com` could sign up beside
// `alice@example.com`. New addresses are stored trimmed and in lower case, a sign-up whose
// address matches an account in any case counts as taken, and sign-in finds an account
// whatever the case typed.

// Guest (or signed-in non-superuser) creates only: a superuser managing accounts gets
// PocketBase's own, precise answers.
function wantsUniformAnswer(e) {
  return !e.hasSuperuserAuth()
}

function normalizedEmail(value) {
  return String(value || "").trim().toLowerCase()
}

// The id of an account of `collection` whose address is `email` in any case, or "".
function accountIdByEmail(app, collection, email, exceptId) {
  if (email === "") {
    return ""
  }
  const row = new DynamicModel({ id: "" })
  try {
    app.db()
      .newQuery("SELECT id FROM " + collection.name + " WHERE lower(email) = {:email} AND id != {:except} LIMIT 1")
      .bind({ email: email, except: exceptId || "" })
      .one(row)
  } catch (err) {
    return "" // no row
  }
  return row.id
}

// A sign-up for a taken address runs exactly as a fresh one (rules, validation, password
// hashing, the insert, the answer with its new id), but under an address no one has and in a
// transaction that is rolled back; the answer is then written from the record it saved. Same status, same body shape,
// same validation messages for the other fields, same work: nothing tells the two apart, and
// nothing is stored. (The address's owner is not mailed: a sign-up of theirs that "worked"
// and then cannot sign in with the new password is told to sign in or reset it instead.)
const ROLLBACK = "gigdesk: sign-up for a taken address rolled back"

function createAccount(e) {
  if (!wantsUniformAnswer(e)) {
    e.next()
    return
  }
  const email = normalizedEmail(e.record.email())
  e.record.setEmail(email)
  if (accountIdByEmail(e.app, e.record.collection(), email, "") === "") {
    e.next()
    return
  }
  // Unique and valid; never stored.
  e.record.setEmail("taken-" + $security.randomStringWithAlphabet(24, "abcdefghijklmnopqrstuvwxyz0123456789") +
                    "@signup.invalid")
  const app = e.app
  try {
    app.runInTransaction((txApp) => {
      e.app = txApp
      e.next()
      throw new Error(ROLLBACK)
    })
  } catch (err) {
    if (String(err).indexOf(ROLLBACK) < 0) {
      throw err
    }
  }
  e.app = app
  // Inside a transaction PocketBase writes the answer only after the commit, which never comes:
  // write it here, from the record as it was saved (id and dates included).
  e.json(200, e.record)
}

// Sign-in by address whatever its case (accounts made before addresses were stored in lower
// case keep theirs; an exact match wins).
function findAccountForSignIn(e) {
  // identityField is "" unless the client names one; email is the only identity field here.
  if (e.record == null && (e.identityField === "" || e.identityField === "email")) {
    const id = accountIdByEmail(e.app, e.collection, normalizedEmail(e.identity), "")
    if (id !== "") {
      e.record = e.app.findRecordById(e.collection, id)
    }
  }
  e.next()
}

module.exports = {
  accountIdByEmail,
  createAccount,
  findAccountForSignIn,
  normalizedEmail,
}
