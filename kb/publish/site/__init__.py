"""The static site, generated from the KB at build time.

``site/gen_pages.py`` (run by mkdocs-gen-files during ``mkdocs build``) calls
:func:`kb.publish.site.build.generate`; each module renders one kind of page as plain Markdown.
Every piece of KB text goes through :mod:`kb.publish.site.escape` on its way into a page.
"""
