/* Starts Swagger UI on /api/v1/docs from the settings the page carries (no inline script, for the CSP).
   "Try it out" from a logged-in browser sends the CSRF token the API asks of session callers. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.presets = [SwaggerUIBundle.presets.apis];
  config.layout = "BaseLayout";
  config.requestInterceptor = function (request) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      request.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
    }
    return request;
  };
  window.ui = SwaggerUIBundle(config);
})();
