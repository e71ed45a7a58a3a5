"""The newsroom layer: a crime story's figures, its words, its tables and its charts.

:mod:`~crimestats.report.figures` computes an area's figures, :mod:`~crimestats.report.story`
words the founding report and its answers, :mod:`~crimestats.report.table` reports every area of
an ONS table and renders it, :mod:`~crimestats.report.phrase` holds the house style,
:mod:`~crimestats.report.plot` the charts and :mod:`~crimestats.report.cli` the command line.
``crimestats.phrase``, ``crimestats.plot``, ``crimestats.story`` and ``crimestats.cli`` are the
same modules under their public names. Only the public API of crimestats is used here.
"""
