// Anchor unit for the shared precompiled header.
