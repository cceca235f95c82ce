"""The static site, generated from the KB at build time.

mkdocs runs the site's plugin (:mod:`kb.publish.site.plugin`, named :data:`PLUGIN` in
``mkdocs.yml``), which opens the KB and calls :func:`kb.publish.site.build.generate`; each
module renders one kind of page as plain Markdown. Every piece of KB text goes through
:mod:`kb.publish.site.escape` on its way into a page.
"""

#: The plugin's name in mkdocs.yml: its entry point in the ``mkdocs.plugins`` group.
PLUGIN = "kb-site"
