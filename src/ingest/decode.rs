//! Decoding bytes of unknown encoding.
