//! Applying a rendered config: check it, archive the old one, move it into place, reload.
