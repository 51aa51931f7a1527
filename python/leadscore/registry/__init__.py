"""Model versions on disk, which one is champion, and the dbt macros that serve them."""
