//! Drug classes, allergy and interaction rules (see submodules).
