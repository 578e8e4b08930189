import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TrpcReactProvider } from "@/lib/trpc";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Scaleplane", template: "%s · Scaleplane" },
  description: "Health, drill-down and approved actions for a microservice platform",
};

// Applies the saved theme (or the system's) before the first paint, so there is no flash.
const themeScript = `try{var t=localStorage.getItem("theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen text-sm">
        <TrpcReactProvider>{children}</TrpcReactProvider>
      </body>
    </html>
  );
}
