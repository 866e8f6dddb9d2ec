/// <reference path="../../pb_data/types.d.ts" />
// Private fields are unusable in a client's sort and filter.
//
// PocketBase hides `email` from other users' responses, and a filter on it only matches
// records whose emailVisibility is on (never, here). But it lets anyone SORT by it: list two
// users, a target and an account of one's own, with `sort=email`, and the order tells which
// address comes first; a few sign-ups per character recover the target's email. The same
// works through every relation path that reaches `users` (`projects?sort=owner.email`,
// `proposals?sort=project.owner.email`, `users?sort=projects_via_owner.hired_freelancer.email`
// ...). A hidden field (password, tokenKey) is already refused on every path; `email` cannot
// be made hidden (PocketBase keeps the auth collection's email field visible).
//
// So every records list request of a non-superuser is checked before it runs: each field
// path in `sort` and `filter` is walked through the schema (relations, back-relations
// `<collection>_via_<field>`), and a path that reaches a private field of an auth
// collection is refused with 400 and a message naming it.

// Private in any auth collection, besides the fields marked hidden.
const PRIVATE_AUTH_FIELDS = ["email"]

const VIA = /^(\w+)_via_(\w+)$/

function isPrivate(collection, field) {
  if (!collection.isAuth()) {
    return false
  }
  return field.hidden || PRIVATE_AUTH_FIELDS.indexOf(field.name.toLowerCase()) >= 0
}

function findCollection(app, nameOrId) {
  try {
    return app.findCachedCollectionByNameOrId(nameOrId)
  } catch (err) {
    return null
  }
}

// Field names are matched without regard to case, so a spelling PocketBase might accept
// cannot slip past.
function fieldByName(collection, name) {
  const wanted = name.toLowerCase()
  const fields = collection.fields
  for (let i = 0; i < fields.length; i++) {
    if (fields[i].name.toLowerCase() === wanted) {
      return fields[i]
    }
  }
  return null
}

// Walks `a.b.c` (modifiers such as `:lower` stripped) from `collection`; returns the
// private field it reaches ("users.email") or "".
function privateFieldOnPath(app, collection, path) {
  const segments = path.split(".")
  let current = collection
  for (let i = 0; i < segments.length && current; i++) {
    const name = segments[i].split(":")[0]
    const field = fieldByName(current, name)
    if (field) {
      if (isPrivate(current, field)) {
        return current.name + "." + field.name
      }
      if (field.type() !== "relation") {
        return "" // a plain value, or a JSON field whose rest is a JSON path
      }
      current = findCollection(app, field.collectionId)
      continue
    }
    const via = VIA.exec(name)
    if (!via) {
      return ""
    }
    current = findCollection(app, via[1])
  }
  return ""
}

// The field paths of a filter expression: identifiers outside quoted text and comments.
// `@request.*`, `@collection.*` and macros are left to PocketBase (it refuses the first two
// for non-superusers).
function filterIdentifiers(filter) {
  const out = []
  let i = 0
  const n = filter.length
  const isStart = (c) => /[A-Za-z_@#]/.test(c)
  const isPart = (c) => /[A-Za-z0-9_.@#:]/.test(c)
  while (i < n) {
    const c = filter[i]
    if (c === "'" || c === '"') {
      i++
      while (i < n && filter[i] !== c) {
        i += filter[i] === "\\" ? 2 : 1
      }
      i++
    } else if (c === "/" && filter[i + 1] === "/") {
      while (i < n && filter[i] !== "\n") {
        i++
      }
    } else if (isStart(c)) {
      let j = i + 1
      while (j < n && isPart(filter[j])) {
        j++
      }
      out.push(filter.slice(i, j))
      i = j
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9.]/.test(filter[i])) {
        i++
      }
    } else {
      i++
    }
  }
  return out
}

// The field paths of a sort expression: `-a.b,+c,d:lower`.
function sortIdentifiers(sort) {
  return sort.split(",")
    .map((s) => s.trim().replace(/^[-+]/, ""))
    .filter((s) => s !== "")
}

// The private fields the list query would use, e.g. ["owner.email in sort (users.email)"].
function privateFieldUses(app, collection, sort, filter) {
  const uses = []
  const check = (kind, paths) => {
    for (const path of paths) {
      if (path[0] === "@") {
        continue
      }
      const hit = privateFieldOnPath(app, collection, path)
      if (hit !== "") {
        uses.push(path + " in " + kind + " (" + hit + ")")
      }
    }
  }
  check("sort", sortIdentifiers(sort))
  check("filter", filterIdentifiers(filter))
  return uses
}

const LIST_PATH = /^\/api\/collections\/([^/]+)\/records\/?$/

// Global middleware: refuses a non-superuser's records list whose sort or filter reaches a
// private field, before PocketBase runs it.
function guardListRequest(e) {
  if (e.request.method !== "GET") {
    return
  }
  const m = LIST_PATH.exec(e.request.url.path)
  if (!m || e.hasSuperuserAuth()) {
    return
  }
  const collection = findCollection(e.app, decodeURIComponent(m[1]))
  if (!collection) {
    return // PocketBase answers 404
  }
  // the same parse and the same (first) value PocketBase's list reads
  const query = e.request.url.query()
  const uses = privateFieldUses(e.app, collection, query.get("sort"), query.get("filter"))
  if (uses.length > 0) {
    throw new BadRequestError("Private fields can't be used to sort or filter: " + uses.join(", ") + ".")
  }
}

module.exports = { guardListRequest, privateFieldUses, filterIdentifiers, sortIdentifiers }
