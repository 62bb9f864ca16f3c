// Static interactive figures made by lib.widgets: each range input picks one
// precomputed frame. The controls stay hidden until this script has wired them.
(function () {
  "use strict";
  function wire(figure) {
    var data = JSON.parse(figure.querySelector("script.lib-slider-data").textContent);
    var image = figure.querySelector("img.lib-slider-frame");
    var controls = figure.querySelector(".lib-slider-controls");
    var inputs = Array.prototype.slice.call(controls.querySelectorAll("input[type=range]"));
    function update() {
      var index = 0;
      inputs.forEach(function (input, k) {
        var labels = data.sliders[k].labels;
        var i = Number(input.value);
        index = index * labels.length + i;  // same order as itertools.product
        input.parentNode.querySelector("output").textContent = labels[i];
      });
      image.src = "data:image/png;base64," + data.frames[index];
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    controls.hidden = false;
    figure.setAttribute("data-lib-slider-ready", "");
  }
  function wireAll() {
    document.querySelectorAll("[data-lib-slider]").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
