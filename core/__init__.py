"""The bottom layer: the one settings object and the vocabularies every room shares
(languages, roles, the tag rule, the addresses of pages and questions), defined once.

Nothing here imports from the rest of the portal.
"""
