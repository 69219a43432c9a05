import Generate from "./generate";

export default function Page() {
  return (
    <main>
      <h1>kie-kling in Next.js</h1>
      <Generate />
    </main>
  );
}
