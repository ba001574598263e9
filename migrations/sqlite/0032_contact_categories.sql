-- Contact categories (issue 14, seed 004): each teacher sorts their
-- contacts into named categories of their own. Private to the teacher:
-- nothing here is ever federated. A contact with no row in
-- `contact_placements` is in the system category "Autres contacts" (no
-- row either), so a new contact needs no write to have its category.
CREATE TABLE contact_categories (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (owner_id, name)
);

-- Which named category the owner put a contact (or a request sent) in.
CREATE TABLE contact_placements (
    owner_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES contact_categories (id) ON DELETE CASCADE,
    PRIMARY KEY (owner_id, contact_id)
);
CREATE INDEX contact_placements_category ON contact_placements (category_id);

-- A request the asker sent and the person asked refused: kept on the
-- asker's side as "Invitation refusée" (a state, not a deletion) until the
-- asker removes it or asks again.
CREATE TABLE contact_refusals (
    asker_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    refuser_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    refused_at INTEGER NOT NULL,
    PRIMARY KEY (asker_id, refuser_id)
);
