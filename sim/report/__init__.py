"""What a run folder shows people: report.md, the GIS layers, the maps and charts, the interactive map and
report.html.

The runner builds the answer once (``answer.build_answer``: the headline table per direction from ``headline``,
what it rests on and the warnings from ``basis``), then calls ``markdown.write_markdown``, ``gis.write_layers``,
``figures.write_figures`` (which returns the images: maps from ``maps`` with ``mapdraw``, ``panels`` and
``labels``; charts from ``charts``, ``tradeoff`` and ``choice``), ``interactive.write_interactive_map`` and
``html.write_html`` with those images. ``text`` holds the one number formatter and markdown tables. Submodules
are imported where used, so the command line does not load matplotlib until it draws.
"""
