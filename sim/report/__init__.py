"""What a run folder shows people: report.md, the GIS layers, the maps and charts, the interactive map and
report.html.

The runner builds the answer once (``answer.build_answer``: the headline table per direction from ``headline``,
what it rests on and the warnings from ``basis``), starts the pictures (``figures.start_figures``: one job per map or
chart, drawn on the run's worker processes, idle by then, or in this process without them; maps from ``maps``
with ``mapdraw``, ``panels`` and ``labels``, charts from ``charts``, ``tradeoff`` and ``choice``), calls
``markdown.write_markdown``, ``gis.write_layers`` and ``interactive.interactive_map_html`` meanwhile, then
``html.write_html`` with the images the pictures' ``write`` returns. ``text`` holds the one number formatter and
markdown tables. Submodules are imported where used, so the command line does not load matplotlib until it draws.
"""
