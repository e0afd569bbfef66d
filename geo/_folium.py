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

__all__ = ["Bind", "Legend", "ZoneMiniMap", "Layout"]


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
// The minimap follows the main map and never moves it: handing its view back raced with
// popups' panning and the first view's fitting (undoing a pan, rounding a zoom of 14.5 to 15).
(function (mini) {
  mini._miniMap.options.zoomSnap = {{ this._parent.get_name() }}.options.zoomSnap;
  mini._miniMap.off('moveend', mini._onMiniMapMoved, mini);
  ['dragging', 'scrollWheelZoom', 'doubleClickZoom', 'touchZoom', 'boxZoom'].forEach(function (h) {
    if (mini._miniMap[h]) { mini._miniMap[h].disable(); }
  });
  if (mini._shadowRect) { mini._shadowRect.off('dragstart drag dragend'); }
})({{ this.get_name() }});
{% endmacro %}""")

    def __init__(self, shapes: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shapes = shapes


#: The page's layout and keyboard script (see :class:`Layout`).
_LAYOUT_JS = r"""
(function (map, bounds, anchors) {
  var box = map.getContainer(), M = 10;
  var legend = box.querySelector('.hetao-legend'), details = legend && legend.querySelector('details');
  var attribution = box.querySelector('.leaflet-control-attribution');
  function rel(el) {
    var r = el.getBoundingClientRect(), c = box.getBoundingClientRect();
    return {l: r.left - c.left, t: r.top - c.top, r: r.right - c.left, b: r.bottom - c.top};
  }
  function hits(a, b) { return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b; }
  function controls() {
    return Array.prototype.filter.call(box.querySelectorAll('.leaflet-control'), function (el) {
      return el.offsetWidth > 0 && el.offsetHeight > 0;
    }).map(rel);
  }
  // Every rectangle whose edges are the map's or a control's and that no control enters.
  function freeRects() {
    var size = map.getSize(), cs = controls();
    var ls = [0], rs = [size.x], ts = [0], bs = [size.y];
    cs.forEach(function (o) { ls.push(o.r); rs.push(o.l); ts.push(o.b); bs.push(o.t); });
    var out = [];
    ls.forEach(function (l) { rs.forEach(function (r) { if (r - l < 3 * M) { return; }
      ts.forEach(function (t) { bs.forEach(function (b) { if (b - t < 3 * M) { return; }
        var f = {l: l, t: t, r: r, b: b};
        if (!cs.some(function (o) { return hits(o, f); })) { out.push(f); }
      }); }); }); });
    return out;
  }
  function best(score) {
    var top = null, topScore = -Infinity;
    freeRects().forEach(function (f) { var s = score(f); if (s > topScore) { top = f; topScore = s; } });
    return top;
  }
  function padding(f) {
    var size = map.getSize();
    return {paddingTopLeft: [f.l + M, f.t + M], paddingBottomRight: [size.x - f.r + M, size.y - f.b + M]};
  }
  var b = L.latLngBounds(bounds);
  var sw = map.project(b.getSouthWest(), 0), ne = map.project(b.getNorthEast(), 0);
  var zw = Math.max(Math.abs(ne.x - sw.x), 1e-9), zh = Math.max(Math.abs(sw.y - ne.y), 1e-9);
  function fitScore(f) { return Math.min((f.r - f.l - 2 * M) / zw, (f.b - f.t - 2 * M) / zh); }
  function small() { return map.getSize().x < 600; }
  // The credits fold to one line on a phone and in a short frame (a notebook's cell).
  function foldCredits() { return small() || map.getSize().y < 600; }
  // The legend: as tall as the room under the controls above it allows.
  function sizeLegend() {
    if (!legend) { return; }
    legend.style.maxHeight = '';
    var size = map.getSize(), above = 0, below = attribution && attribution.offsetHeight ? attribution.offsetHeight + M : 0;
    box.querySelectorAll('.leaflet-top.leaflet-right .leaflet-control').forEach(function (el) {
      if (el.offsetHeight) { above = Math.max(above, rel(el).b); }
    });
    legend.style.maxHeight = Math.max(40, size.y - above - below - 2 * M) + 'px';
  }
  function foldAttribution() {
    if (!attribution) { return; }
    var scale = box.querySelector('.leaflet-control-scale');
    var fold = foldCredits();
    attribution.style.maxWidth = fold ? (map.getSize().x - (scale ? scale.offsetWidth + 3 * M : 2 * M)) + 'px' : '';
    if (fold) { attribution.tabIndex = 0; } else { attribution.removeAttribute('tabindex'); }
    attribution.title = fold && !attribution.classList.contains('hetao-open') ? 'Show the full credits' : '';
  }
  function layout() {
    box.classList.toggle('hetao-small', small());
    box.classList.toggle('hetao-fold-credits', foldCredits());
    foldAttribution();
    sizeLegend();
  }
  // The first view: the zone in the largest room between the controls; the legend folded
  // when open it would cost the zone much of its size, or could not show whole.
  function fit() {
    // Room is kept for the notice the legend shows when basemap tiles fail (later, if ever).
    var notice = legend && legend.querySelector('.hetao-offline'), hidden = notice && notice.hidden;
    if (notice) { notice.hidden = false; }
    layout();
    var open = best(fitScore), scoreOpen = fitScore(open);
    var cramped = legend && legend.scrollHeight > legend.clientHeight + 1;
    if (details && details.open) {
      details.open = false; layout();
      var folded = best(fitScore);
      if (!(cramped || small() || scoreOpen < 0.75 * fitScore(folded))) { details.open = true; layout(); }
      else { open = folded; }
    }
    if (notice) { notice.hidden = hidden; }
    map.fitBounds(b, L.extend(padding(open), {animate: false}));
  }
  // Popups: inside the largest room between the controls, as wide as it allows on a phone.
  function popupRoom() {
    // On a phone width comes first (the comparison needs under 450 px of height).
    var room = best(function (f) { return Math.min(f.r - f.l, 480) * Math.min(f.b - f.t, small() ? 450 : 700); });
    var width = Math.min(small() ? room.r - room.l - 2 * M - 48 : 440, room.r - room.l - 2 * M - 48);
    var height = room.b - room.t - 2 * M - 56;   // the content's margins and the tip
    map.eachLayer(function (l) {
      var p = l.getPopup && l.getPopup();
      if (!p) { return; }
      var pad = padding(room);
      L.extend(p.options, {maxWidth: width, minWidth: small() ? width : 50, maxHeight: Math.max(120, height),
                           autoPanPaddingTopLeft: pad.paddingTopLeft,
                           autoPanPaddingBottomRight: pad.paddingBottomRight});
    });
  }
  // Names on the map: the areas' clear of the markers and of each other, the lines' clear of
  // those too (moved a little, or left out while they would cover one), all inside the map.
  function clearSpot(r, placed, offsets) {
    var size = map.getSize();
    for (var i = 0; i < offsets.length; i++) {
      var dx = offsets[i][0], dy = offsets[i][1];
      dx = Math.max(2 - r.l, Math.min(dx, size.x - 2 - r.r));
      dy = Math.max(2 - r.t, Math.min(dy, size.y - 2 - r.b));
      var moved = {l: r.l + dx, r: r.r + dx, t: r.t + dy, b: r.b + dy};
      if (!placed.some(function (o) { return hits(o, moved); })) { return moved; }
    }
    return null;
  }
  function placeLabels() {
    var placed = [];
    box.querySelectorAll('.hetao-marker').forEach(function (el) { placed.push(rel(el)); });
    var labels = Array.prototype.slice.call(box.querySelectorAll('.hetao-area-label'))
      .concat(Array.prototype.slice.call(box.querySelectorAll('.hetao-line-label')));
    labels.forEach(function (el) { el.style.translate = ''; el.style.visibility = ''; });
    labels.forEach(function (el) {
      var r = rel(el), h = r.b - r.t + 2, w = (r.r - r.l) / 2, offsets = [[0, 0]];
      for (var k = 1; k <= 3; k++) { offsets.push([0, -k * h / 2], [0, k * h / 2]); }
      offsets.push([-w, 0], [w, 0], [-w, -h], [w, h], [-w, h], [w, -h]);
      var spot = clearSpot(r, placed, offsets);
      if (!spot && el.classList.contains('hetao-area-label')) { spot = clearSpot(r, [], [[0, 0]]); }
      if (!spot) { el.style.visibility = 'hidden'; return; }
      el.style.translate = (spot.l - r.l) + 'px ' + (spot.t - r.t) + 'px';
      placed.push(spot);
    });
  }
  // The keyboard: Tab reaches each feature with a popup, Enter opens it, Escape closes it.
  var opener = null;
  function focusable(el, layer, key) {
    var a = anchors[key];
    if (!el || !a) { return; }
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', a.name);
    el.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter' && e.key !== ' ') { return; }
      e.preventDefault();
      opener = el;
      popupRoom();
      layer.openPopup(L.latLng(a.lat, a.lng));
    });
    el.addEventListener('focus', function () {
      var p = map.latLngToContainerPoint([a.lat, a.lng]), s = map.getSize();
      if (p.x < 0 || p.y < 0 || p.x > s.x || p.y > s.y) { map.panTo([a.lat, a.lng], {animate: false}); }
    });
  }
  function keyboard() {
    map.eachLayer(function (g) {
      if (g instanceof L.GeoJSON && g.getPopup()) {
        g.eachLayer(function (c) { focusable(c._path, g, c.feature && c.feature.id); });
      } else if (g instanceof L.Marker && g.getPopup() && g.options.hetaoId) {
        focusable(g._icon, g, g.options.hetaoId);
      }
    });
    document.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' || !map._popup || !map.hasLayer(map._popup)) { return; }
      map.closePopup();
      if (opener) { opener.focus({preventScroll: true}); }
    });
  }
  map.on('popupopen', function (e) {
    box.classList.add('hetao-popup-open');
    // A popup that scrolls can be scrolled from the keyboard too.
    var content = e.popup.getElement().querySelector('.leaflet-popup-content');
    if (content.classList.contains('leaflet-popup-scrolled')) {
      content.tabIndex = 0;
      content.setAttribute('role', 'region');
      content.setAttribute('aria-label', 'Popup details');
    }
  });
  map.on('popupclose', function () { box.classList.remove('hetao-popup-open'); });
  if (attribution) {
    var flip = function () {
      if (foldCredits()) { attribution.classList.toggle('hetao-open'); foldAttribution(); sizeLegend(); popupRoom(); }
    };
    attribution.addEventListener('click', function (e) { if (!e.target.closest('a')) { flip(); } });
    attribution.addEventListener('keydown', function (e) {
      if (e.target === attribution && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); flip(); }
    });
  }
  // The layer control, opened, stops above whatever lies below it.
  box.querySelectorAll('.leaflet-control-layers').forEach(function (el) {
    el.addEventListener('mouseenter', function () { setTimeout(capLayers, 0); });
    el.addEventListener('focusin', function () { setTimeout(capLayers, 0); });
    function capLayers() {
      var list = el.querySelector('.leaflet-control-layers-list');
      if (!el.classList.contains('leaflet-control-layers-expanded') || !list) { return; }
      var left = 0;
      box.querySelectorAll('.leaflet-top.leaflet-left .leaflet-control').forEach(function (o) {
        if (o.offsetWidth) { left = Math.max(left, rel(o).r); }
      });
      el.style.maxWidth = (map.getSize().x - left - 2 * M) + 'px';
      var me = rel(el), floor = map.getSize().y - M;
      controls().forEach(function (o) {
        if (o.t >= me.t + 5 && o.l < me.r && me.l < o.r) { floor = Math.min(floor, o.t - M); }
      });
      var section = list;
      var room = floor - rel(section).t - 12;
      if (section.scrollHeight > room) {
        section.classList.add('leaflet-control-layers-scrollbar');
        section.style.height = Math.max(60, room) + 'px';
      }
    }
  });
  if (details) {
    details.addEventListener('toggle', function () { layout(); popupRoom(); });
  }
  fit();
  popupRoom();
  map.on('preclick', popupRoom);        // before a click opens a popup: the controls as they are now
  if (window.ResizeObserver && legend) { new ResizeObserver(function () { popupRoom(); }).observe(legend); }
  placeLabels();
  keyboard();
  map.on('zoomend moveend viewreset layeradd', placeLabels);
  map.on('resize', function () { layout(); popupRoom(); placeLabels(); });
})({{ this._parent.get_name() }}, {{ this.bounds|tojson }}, {{ this.anchors|tojson }});
"""


class Layout(MacroElement):
    """The first view, the controls' room, the names' places, and the keyboard.

    Fits the view to the zone in the largest room the controls leave (folding the legend
    when open it would cost the zone much of its size), sizes the legend and popups to that
    room, keeps names clear of the markers and inside the map, folds the attribution on a
    phone, and makes each feature with a popup a button that Tab reaches, Enter opens and
    Escape closes.

    Parameters
    ----------
    bounds : list
        ``[[south, west], [north, east]]`` of the zone.
    anchors : dict
        Layer id (a GeoJSON feature's id, or a marker's ``hetaoId`` option) to
        ``{"lat", "lng", "name"}``: where its popup opens from the keyboard and its
        accessible name.
    """

    _template = Template("{% macro script(this, kwargs) %}" + _LAYOUT_JS + "{% endmacro %}")

    def __init__(self, bounds: list[list[float]], anchors: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self._name = "Layout"
        self.bounds, self.anchors = bounds, anchors
