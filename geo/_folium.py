"""hetao's own folium elements: popups and tooltips bound as JSON, the legend, the minimap.

folium is a heavy import, so this module is imported only inside the functions of
:mod:`hetao.webmap` that draw a map; ``import hetao.webmap`` stays light.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium import plugins
from folium.template import Template as FoliumTemplate
from jinja2 import Template

__all__ = ["Bind", "Legend", "ZoneMiniMap"]


class Bind(MacroElement):
    """``layer.bindPopup(html)`` / ``bindTooltip(html)``, content passed as a JSON string.

    Parameters
    ----------
    method : str
        ``"bindPopup"`` or ``"bindTooltip"``.
    content : str
        The popup's or tooltip's HTML.
    **options
        Leaflet's options of the popup or tooltip.
    """

    _template = Template("""{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.{{ this.method }}({{ this.content|tojson }}, {{ this.options|tojson }});
{% endmacro %}""")

    def __init__(self, method: str, content: str, **options: Any) -> None:
        super().__init__()
        self._name = "Bind"
        self.method, self.content, self.options = method, content, options


class Legend(MacroElement):
    """The categorical legend, data attribution and the offline-tiles notice.

    Parameters
    ----------
    legend : str
        The legend's HTML (folded on a phone when it is a ``<details>``).
    attribution : str
        Added to the map's attribution control.
    """

    _template = Template("""{% macro script(this, kwargs) %}
(function (map) {
  var legend = L.control({position: 'bottomright'});
  var box;
  legend.onAdd = function () {
    box = L.DomUtil.create('div', 'hetao-legend');
    box.innerHTML = {{ this.legend|tojson }};
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var details = box.querySelector('details');
    if (details && map.getSize().x < 600) { details.open = false; }  // a phone: folded
    return box;
  };
  legend.addTo(map);
  map.attributionControl.addAttribution({{ this.attribution|tojson }});
  function watch(layer) {
    if (layer instanceof L.TileLayer && !layer._hetaoWatched) {
      layer._hetaoWatched = true;
      layer.on('tileerror', function () { box.querySelector('.hetao-offline').hidden = false; });
    }
  }
  map.eachLayer(watch);
  map.on('layeradd', function (e) { watch(e.layer); });
})({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self, legend: str, attribution: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.legend, self.attribution = legend, attribution


class ZoneMiniMap(plugins.MiniMap):
    """folium's MiniMap, drawing the zone's own layers over its tiles, so it shows offline.

    Parameters
    ----------
    shapes : dict
        A GeoJSON FeatureCollection, each feature with its Leaflet style in
        ``properties.style``.
    **kwargs
        folium's MiniMap options.
    """

    _template = FoliumTemplate("""{% macro script(this, kwargs) %}
var {{ this.get_name() }}_layers = L.layerGroup([
  L.tileLayer({{ this.tile_layer.tiles|tojson }}, {{ this.tile_layer.options|tojson }}),
  L.geoJSON({{ this.shapes|tojson }}, {interactive: false,
             style: function (f) { return f.properties.style; }})
]);
var {{ this.get_name() }} = new L.Control.MiniMap({{ this.get_name() }}_layers, {{ this.options|tojavascript }});
{{ this._parent.get_name() }}.addControl({{ this.get_name() }});
{% endmacro %}""")

    def __init__(self, shapes: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shapes = shapes
