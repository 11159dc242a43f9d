/** True for the dashboard's paths: /dashboard and everything under it. */
export function isDashboardPath(pathname: string): boolean {
  return pathname === "/dashboard" || pathname.startsWith("/dashboard/");
}
