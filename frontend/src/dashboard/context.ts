import { createContext, useContext } from "react";
import type { DashboardApi, Me } from "./api";

export interface DashboardContextValue {
  api: DashboardApi;
  me: Me;
}

export const DashboardContext = createContext<DashboardContextValue | null>(null);

export function useDashboard(): DashboardContextValue {
  const value = useContext(DashboardContext);
  if (!value) throw new Error("useDashboard outside the dashboard");
  return value;
}
