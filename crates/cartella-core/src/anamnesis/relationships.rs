//! Relatives of a family history, as HL7 v3 RoleCode (`FamilyMember` codes of the
//! `v3-RoleCode` system that FamilyMemberHistory.relationship binds to).

pub const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

/// (code, English display); the order is the one forms list them in.
pub const RELATIONSHIPS: &[(&str, &str)] = &[
    ("MTH", "mother"),
    ("FTH", "father"),
    ("SIB", "sibling"),
    ("SIS", "sister"),
    ("BRO", "brother"),
    ("HSIB", "half-sibling"),
    ("DAU", "daughter"),
    ("SON", "son"),
    ("CHILD", "child"),
    ("MGRMTH", "maternal grandmother"),
    ("MGRFTH", "maternal grandfather"),
    ("PGRMTH", "paternal grandmother"),
    ("PGRFTH", "paternal grandfather"),
    ("GRMTH", "grandmother"),
    ("GRFTH", "grandfather"),
    ("MAUNT", "maternal aunt"),
    ("MUNCLE", "maternal uncle"),
    ("PAUNT", "paternal aunt"),
    ("PUNCLE", "paternal uncle"),
    ("AUNT", "aunt"),
    ("UNCLE", "uncle"),
    ("COUSN", "cousin"),
    ("NIECE", "niece"),
    ("NEPHEW", "nephew"),
    ("GRNDCHILD", "grandchild"),
    ("TWIN", "twin"),
    ("FAMMEMB", "family member"),
];

/// The canonical code and its display for `raw` (case-insensitive code).
pub fn relationship(raw: &str) -> Option<(&'static str, &'static str)> {
    let raw = raw.trim();
    RELATIONSHIPS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(raw))
        .copied()
}
