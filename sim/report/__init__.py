"""What a run folder shows people: report.md, the maps and charts, and report.html.

The runner calls them in that order: ``markdown.write_markdown``, then ``figures.write_figures`` (which returns
the images), then ``html.write_html`` with those images. ``text`` holds the one number formatter and the
sentences both reports share. Submodules are imported where used, so the command line does not load matplotlib
until it draws.
"""
