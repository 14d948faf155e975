/* heritagekit pavilion: grid filtering and the item page's viewers.
   Works the same on the live server and on the static export (no server calls). */
(function () {
  "use strict";
  var state = (window.__pavilion = { tilesLoaded: 0, tileErrors: 0, viewer: null });

  function filterGrid() {
    var form = document.getElementById("filters");
    var grid = document.getElementById("grid");
    // A paged grid shows one page: the server filters the whole collection.
    if (!form || !grid || form.dataset.serverFilter) return;
    var q = document.getElementById("q");
    var craft = document.getElementById("craft");
    var region = document.getElementById("region");
    var count = document.getElementById("count");
    function apply() {
      var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      grid.querySelectorAll(".card").forEach(function (card) {
        var ok =
          (!craft.value || card.dataset.craft === craft.value) &&
          (!region.value || card.dataset.region === region.value) &&
          words.every(function (w) { return card.dataset.text.indexOf(w) >= 0; });
        card.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + (shown === 1 ? " item" : " items");
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    [q, craft, region].forEach(function (el) {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
    apply();
  }

  function tileSource(viewer) {
    // info.json's id must be absolute; derive it from where this page found the tiles,
    // so the same page works on any host and in the static export.
    var info = JSON.parse(JSON.stringify(viewer.info));
    info.id = new URL(viewer.base, document.baseURI).href.replace(/\/$/, "");
    info["@id"] = undefined;
    return info;
  }

  function deepZoom() {
    var holder = document.getElementById("osd");
    var sources = document.getElementById("iiif-sources");
    if (!holder || !sources || typeof OpenSeadragon === "undefined") return;
    var viewers = JSON.parse(sources.textContent).filter(function (v) { return v.info; });
    if (!viewers.length) return;
    var osd = OpenSeadragon({
      element: holder,
      prefixUrl: holder.dataset.prefix,
      tileSources: tileSource(viewers[0]),
      showNavigator: true,
      crossOriginPolicy: false,
      maxZoomPixelRatio: 4,
    });
    osd.addHandler("tile-loaded", function () { state.tilesLoaded += 1; });
    osd.addHandler("tile-load-failed", function () { state.tileErrors += 1; });
    state.viewer = osd;
    document.querySelectorAll("[data-show-image]").forEach(function (button) {
      button.addEventListener("click", function () {
        var wanted = viewers.filter(function (v) { return v.image === button.dataset.showImage; })[0];
        if (!wanted) return;
        document.querySelectorAll("[data-show-image]").forEach(function (b) {
          b.setAttribute("aria-selected", b === button ? "true" : "false");
        });
        osd.open(tileSource(wanted));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    filterGrid();
    deepZoom();
  });
})();
