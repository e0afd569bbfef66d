"""hetao: an honest, checkable map of the Hetao Shenzhen-Hong Kong S&T Innovation Cooperation Zone.

The package is kept light to import: heavy libraries (geopandas, folium, matplotlib)
are imported only by the modules that draw maps and figures.
"""

__version__ = "0.1.0"
