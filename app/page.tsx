import { redirect } from "next/navigation";

// The fleet overview lands here later; until then the services list is the home page.
export default function Home() {
  redirect("/services");
}
