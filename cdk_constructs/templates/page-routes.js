// CloudFront viewer request (cloudfront-js-2.0), the page's behavior only: a path whose last
// segment names no file (/join, /dashboard/callback) is a route of the page, so it gets
// index.html; files (/config.json, /assets/index-1a2b.js) are served as they are. The API's
// paths (/api/*) have a behavior of their own and never come here.
function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf("/") + 1);
  if (last.indexOf(".") === -1) {
    request.uri = "/index.html";
  }
  return request;
}
